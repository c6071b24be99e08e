//! source layer (see ../shared/DESIGN.md).
