//! TFM011: an S3 bucket open to the public, or without a public access block.
//!
//! Public canned ACLs (`public-read`, `public-read-write`, on the bucket or in `aws_s3_bucket_acl`),
//! a public access block that turns any of its four protections off, and a bucket with no public
//! access block in its module (AWS now blocks public access on new buckets by default, which an
//! explicit block makes independent of account settings).

use crate::checks::terraform::{View, address, cause, refers_to};
use crate::checks::{Check, Hit};
use crate::formats::terraform::{At, Module, block_header_span};

pub const CHECK: Check = Check::terraform(RULE, check);
const RULE: &str = "TFM011";

const PROTECTIONS: &[&str] = &[
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
];

fn check(module: &Module, hits: &mut Vec<(At, Hit)>) {
    for (file, block) in module.resources(&["aws_s3_bucket", "aws_s3_bucket_acl"]) {
        let view = View::new(module, file, &block.body);
        if let Some(acl) = view.string("acl").filter(|acl| acl.starts_with("public-")) {
            let message = format!(
                "{} grants the canned ACL `{acl}`{}",
                address(&block),
                cause(&view.variables("acl"))
            );
            hits.push((
                file,
                Hit::new(RULE, view.span("acl").unwrap_or(0..0), message),
            ));
        }
    }
    let blocks: Vec<String> = module
        .resources(&["aws_s3_bucket_public_access_block"])
        .filter_map(|(file, block)| {
            let view = View::new(module, file, &block.body);
            for key in PROTECTIONS {
                if view.bool(key) == Some(false) {
                    let message = format!(
                        "{} turns off `{key}`{}",
                        address(&block),
                        cause(&view.variables(key))
                    );
                    hits.push((
                        file,
                        Hit::new(RULE, view.span(key).unwrap_or(0..0), message),
                    ));
                }
            }
            view.text("bucket")
        })
        .collect();
    for (file, block) in module.resources(&["aws_s3_bucket"]) {
        if !blocks.iter().any(|bucket| refers_to(bucket, &block)) {
            let message = format!(
                "{} has no `aws_s3_bucket_public_access_block` in this module",
                address(&block)
            );
            hits.push((
                file,
                Hit::new(RULE, block_header_span(&block).unwrap_or(0..0), message),
            ));
        }
    }
}
