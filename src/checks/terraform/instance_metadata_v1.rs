//! TFM018: an EC2 instance, launch template or launch configuration that does not require
//! IMDSv2. IMDSv1 answers any plain GET from the instance, so a server-side request forgery in
//! an application reads the instance role's credentials; IMDSv2 needs a session token that such
//! requests cannot get.

use crate::checks::terraform::{View, address, cause};
use crate::checks::{Check, Hit};
use crate::formats::terraform::{At, Module, block_header_span, label};

pub const CHECK: Check = Check::terraform(RULE, check);
const RULE: &str = "TFM018";

const FIX: &str = "metadata_options { http_tokens = \"required\" }";

fn check(module: &Module, hits: &mut Vec<(At, Hit)>) {
    let types = &[
        "aws_instance",
        "aws_launch_template",
        "aws_launch_configuration",
    ];
    for (file, block) in module.resources(types) {
        let view = View::new(module, file, &block.body);
        // An instance launched from a template takes the template's metadata options.
        if label(&block, 0) == Some("aws_instance") && !view.nested("launch_template").is_empty() {
            continue;
        }
        let dynamic = block.body.blocks().any(|nested| {
            nested.ident.as_str() == "dynamic" && label(nested, 0) == Some("metadata_options")
        });
        if dynamic {
            continue;
        }
        let at_header = || block_header_span(&block).unwrap_or(0..0);
        let Some(options) = view.nested("metadata_options").into_iter().next() else {
            hits.push((
                file,
                Hit::new(
                    RULE,
                    at_header(),
                    format!("{} allows IMDSv1 (set `{FIX}`)", address(&block)),
                ),
            ));
            continue;
        };
        if options.string("http_endpoint").as_deref() == Some("disabled") {
            continue;
        }
        match options.get("http_tokens") {
            None => hits.push((
                file,
                Hit::new(
                    RULE,
                    at_header(),
                    format!(
                        "{} allows IMDSv1: `http_tokens` defaults to \"optional\" (set `{FIX}`)",
                        address(&block)
                    ),
                ),
            )),
            Some(_) if options.string("http_tokens").as_deref() == Some("optional") => hits.push((
                file,
                Hit::new(
                    RULE,
                    options.span("http_tokens").unwrap_or_else(at_header),
                    format!(
                        "{} allows IMDSv1 (`http_tokens = \"optional\"`){}",
                        address(&block),
                        cause(&options.variables("http_tokens"))
                    ),
                ),
            )),
            Some(_) => {}
        }
    }
}
