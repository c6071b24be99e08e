//! policy layer (see ../shared/DESIGN.md).
