//! CMP003: an image with no tag or `:latest`, also when it comes from a variable's default
//! (`${IMAGE:-app:latest}`).

use crate::checks::{Check, Hit};
use crate::formats::compose::ComposeFile;
use crate::formats::dockerfile::ImageRef;

pub const CHECK: Check = Check::compose(RULE, check);
const RULE: &str = "CMP003";

fn check(compose: &ComposeFile<'_>, hits: &mut Vec<Hit>) {
    for service in &compose.services {
        let Some((entry, image)) = compose.setting(service, "image") else {
            continue;
        };
        let image = image.trim();
        if image.is_empty() {
            continue;
        }
        if let Some(problem) = ImageRef::parse(image).floating_problem() {
            hits.push(Hit::new(
                RULE,
                compose.site(entry),
                format!("image `{image}` of service `{}` {problem}", service.name),
            ));
        }
    }
}
