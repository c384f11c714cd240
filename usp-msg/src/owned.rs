//! Turning a decoded value that borrows its input into one that owns its strings.

use std::borrow::Cow;

/// A value whose borrowed strings can be made owned.
pub(crate) trait IntoOwned {
    /// The same type with the `'static` lifetime.
    type Owned;
    /// Copies every borrowed string.
    fn into_owned(self) -> Self::Owned;
}

impl IntoOwned for Cow<'_, str> {
    type Owned = Cow<'static, str>;
    fn into_owned(self) -> Cow<'static, str> {
        Cow::Owned(Cow::into_owned(self))
    }
}

impl<T: IntoOwned> IntoOwned for Vec<T> {
    type Owned = Vec<T::Owned>;
    fn into_owned(self) -> Vec<T::Owned> {
        self.into_iter().map(T::into_owned).collect()
    }
}

impl<T: IntoOwned> IntoOwned for Option<T> {
    type Owned = Option<T::Owned>;
    fn into_owned(self) -> Option<T::Owned> {
        self.map(T::into_owned)
    }
}

macro_rules! plain {
    ($($t:ty),*) => {$(
        impl $crate::owned::IntoOwned for $t {
            type Owned = $t;
            fn into_owned(self) -> $t {
                self
            }
        }
    )*};
}
plain!(bool, u32, usp_types::ErrorCode);
pub(crate) use plain;
