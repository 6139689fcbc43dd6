//! S3's operations, one file each (like rusty-s3's actions): a type whose
//! `request` gives the method, URL and headers to sign and send, and, where
//! S3 answers with a document, a `parse` of it. Errors are
//! [`super::parse_error`]'s for all of them.

mod copy_object;
mod delete_object;
mod delete_objects;
mod get_object;
mod head_object;
mod list_objects_v2;
mod multipart;
mod post_policy;
mod put_object;

pub use copy_object::CopyObject;
pub use delete_object::DeleteObject;
pub use delete_objects::{DeleteError, DeleteObjects, Deleted, MAX_DELETE_KEYS};
pub use get_object::{GetObject, Range};
pub use head_object::HeadObject;
pub use list_objects_v2::{ListObjectsV2, Listing, Object};
pub use multipart::{
    part_count, part_range, part_size, AbortMultipartUpload, CompleteMultipartUpload,
    CreateMultipartUpload, ListParts, Part, PartsPage, UploadPart, MAX_PARTS, MIN_PART_SIZE,
};
pub use post_policy::{PostPolicy, PresignedPost};
pub use put_object::{PutObject, HASH_LIMIT};

use alloc::string::String;
use alloc::vec::Vec;

/// An S3 request as an action builds it: the shell adds the caller's headers
/// and the body, signs it with the `s3` signer, and sends it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct S3Request {
    /// S3's name of the operation, for error messages.
    pub operation: &'static str,
    pub method: &'static str,
    pub url: String,
    /// The headers the action sets (they win over the caller's of the same name).
    pub headers: Vec<(&'static str, String)>,
    /// Sign the body as `UNSIGNED-PAYLOAD` instead of hashing it first.
    pub unsigned_payload: bool,
}

impl S3Request {
    fn new(operation: &'static str, method: &'static str, url: String) -> Self {
        S3Request {
            operation,
            method,
            url,
            headers: Vec::new(),
            unsigned_payload: false,
        }
    }
}
