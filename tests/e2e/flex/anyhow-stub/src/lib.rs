// lib.rs -- the part of anyhow the Flex glue uses: an Error any std error converts into, and Result.
#[derive(Debug)]
pub struct Error(pub String);

impl<E: std::error::Error> From<E> for Error {
    fn from(e: E) -> Self {
        Error(e.to_string())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
