//! Objects already decoded, served before the object database: the trees
//! and commits that a push's quarantine scan inflated once, so that the
//! tree diffs after it do not inflate them again (each from the end of a
//! delta chain).

use gix::ObjectId;
use gix::hashtable::HashMap;

/// Decoded objects by id, up to a byte budget (none by default).
#[derive(Debug, Default)]
pub struct Decoded {
    objects: HashMap<ObjectId, (gix::object::Kind, Box<[u8]>)>,
    bytes: u64,
    budget: u64,
    /// Something did not fit: the map holds only part of what was offered.
    pub partial: bool,
}

impl Decoded {
    /// An empty map that keeps at most `budget` bytes of object data.
    pub fn with_budget(budget: u64) -> Decoded {
        Decoded {
            objects: HashMap::default(),
            bytes: 0,
            budget,
            partial: false,
        }
    }

    /// Keep a copy of an object, unless the budget is spent.
    pub fn keep(&mut self, id: ObjectId, kind: gix::object::Kind, data: &[u8]) {
        if self.bytes + data.len() as u64 > self.budget {
            self.partial = true;
            return;
        }
        self.bytes += data.len() as u64;
        self.objects.insert(id, (kind, data.into()));
    }

    pub fn len(&self) -> usize {
        self.objects.len()
    }

    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }
}

/// `decoded` first, then `objects`.
pub struct Overlay<'a, F> {
    pub decoded: Option<&'a Decoded>,
    pub objects: &'a F,
}

impl<F: gix::objs::Find> gix::objs::Find for Overlay<'_, F> {
    fn try_find<'b>(
        &self,
        id: &gix::hash::oid,
        buffer: &'b mut Vec<u8>,
    ) -> Result<Option<gix::objs::Data<'b>>, gix::Error> {
        if let Some((kind, data)) = self.decoded.and_then(|d| d.objects.get(id)) {
            buffer.clear();
            buffer.extend_from_slice(data);
            let buffer: &'b [u8] = buffer;
            return Ok(Some(gix::objs::Data::new(buffer, *kind, id.kind())));
        }
        self.objects.try_find(id, buffer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gix::objs::Find as _;

    /// A database that holds nothing.
    struct Nothing;

    impl gix::objs::Find for Nothing {
        fn try_find<'b>(
            &self,
            _: &gix::hash::oid,
            _: &'b mut Vec<u8>,
        ) -> Result<Option<gix::objs::Data<'b>>, gix::Error> {
            Ok(None)
        }
    }

    #[test]
    fn kept_objects_are_served_within_the_budget_and_the_rest_falls_through() {
        let hash = gix::hash::Kind::Sha1;
        let a = ObjectId::from_hex(b"1111111111111111111111111111111111111111").unwrap();
        let b = ObjectId::from_hex(b"2222222222222222222222222222222222222222").unwrap();
        let mut decoded = Decoded::with_budget(10);
        decoded.keep(a, gix::object::Kind::Tree, b"0123456789");
        decoded.keep(b, gix::object::Kind::Commit, b"x");
        assert!(decoded.partial, "the second object is over the budget");
        assert_eq!(decoded.len(), 1);
        let overlay = Overlay {
            decoded: Some(&decoded),
            objects: &Nothing,
        };
        let mut buf = Vec::new();
        let found = overlay.try_find(&a, &mut buf).unwrap().expect("kept");
        assert_eq!(found.kind, gix::object::Kind::Tree);
        assert_eq!(found.data, b"0123456789");
        assert_eq!(found.object_hash, hash);
        assert!(overlay.try_find(&b, &mut buf).unwrap().is_none());
    }
}
