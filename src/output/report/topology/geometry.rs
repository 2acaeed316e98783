//! The shapes a layout is made of: points, rectangles, the routes of edges
//! and their curves. Every curve leaves and enters horizontally (a cubic
//! Bézier with both control points halfway across), so arrows point along
//! the flow.

use super::layout::ARROW;

/// A point, px.
pub(super) type Point = (f64, f64);

/// A rectangle, px: top-left corner and size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn around((cx, cy): Point, (w, h): (f64, f64)) -> Rect {
        Rect {
            x: cx - w / 2.0,
            y: cy - h / 2.0,
            w,
            h,
        }
    }

    pub fn right(&self) -> f64 {
        self.x + self.w
    }

    pub fn bottom(&self) -> f64 {
        self.y + self.h
    }

    pub fn cx(&self) -> f64 {
        self.x + self.w / 2.0
    }

    /// Whether the two share any area.
    pub fn overlaps(&self, o: &Rect) -> bool {
        self.x < o.right() && o.x < self.right() && self.y < o.bottom() && o.y < self.bottom()
    }

    /// With room for an arrowhead at its left side.
    pub fn with_arrow(&self) -> Rect {
        Rect {
            x: self.x - ARROW,
            w: self.w + ARROW,
            ..*self
        }
    }

    pub fn grown(&self, d: f64) -> Rect {
        Rect {
            x: self.x - d,
            y: self.y - d,
            w: self.w + 2.0 * d,
            h: self.h + 2.0 * d,
        }
    }
}

/// How an edge is drawn.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Route {
    /// Out of the source at `from`, across each gap between columns on a
    /// leg that leaves and enters horizontally (an S-curve), straight
    /// through the columns between, into the target at `to`: the arrow
    /// points right.
    Forward {
        from: Point,
        legs: Vec<Leg>,
        to: Point,
    },
    /// A cycle's closing edge: right out of the source at `from`, down at x
    /// `down` to `low`, left under the diagram, up at x `up`, and right into
    /// the target at `to`.
    Back {
        from: Point,
        to: Point,
        down: f64,
        up: f64,
        low: f64,
    },
}

/// One gap crossed by a forward edge: straight from `from` to x `bend.0`,
/// an S-curve to x `bend.1` (leaving and entering horizontally), straight
/// on to `to`. The straight part holds the label where edges fan.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Leg {
    pub from: Point,
    pub to: Point,
    pub bend: (f64, f64),
}

impl Leg {
    /// The ends of the curve.
    pub fn curve(&self) -> (Point, Point) {
        ((self.bend.0, self.from.1), (self.bend.1, self.to.1))
    }

    /// The point of the leg at `x`.
    pub fn at_x(&self, x: f64) -> Point {
        let (p0, p1) = self.curve();
        if x <= p0.0 {
            (x, p0.1)
        } else if x >= p1.0 {
            (x, p1.1)
        } else {
            curve_at_x(p0, p1, x)
        }
    }
}

/// Everything placed.
#[derive(Clone, Debug)]
pub(super) struct Layout {
    pub width: f64,
    pub height: f64,
    /// One per node.
    pub boxes: Vec<Rect>,
    /// One per edge; `None` for an edge whose ends are not nodes.
    pub routes: Vec<Option<Route>>,
    /// One per edge: its label's background.
    pub labels: Vec<Option<Rect>>,
}

/// The control points of a curve: it leaves and enters horizontally.
pub(super) fn controls(p0: Point, p1: Point) -> (Point, Point) {
    let dx = (p1.0 - p0.0) / 2.0;
    ((p0.0 + dx, p0.1), (p1.0 - dx, p1.1))
}

/// The point of the curve from `p0` to `p1` at `x` (clamped to it).
pub(super) fn curve_at_x(p0: Point, p1: Point, x: f64) -> Point {
    // x grows with the parameter along a leg: bisect.
    let (mut lo, mut hi) = (0.0, 1.0);
    for _ in 0..30 {
        let mid = (lo + hi) / 2.0;
        if curve_at(p0, p1, mid).0 < x {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    curve_at(p0, p1, lo)
}

/// The point at parameter `s` of the curve from `p0` to `p1`.
pub(super) fn curve_at(p0: Point, p1: Point, s: f64) -> Point {
    let (c0, c1) = controls(p0, p1);
    let r = 1.0 - s;
    let f = |a: f64, b: f64, c: f64, d: f64| {
        r * r * r * a + 3.0 * r * r * s * b + 3.0 * r * s * s * c + s * s * s * d
    };
    (f(p0.0, c0.0, c1.0, p1.0), f(p0.1, c0.1, c1.1, p1.1))
}
