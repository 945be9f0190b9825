//! DKR017: `COPY . .` (or `ADD .`, `COPY * …`) with no `.dockerignore`: the whole build context
//! goes into the image, `.git` with its history, `.env` files, local credentials, test data
//! and whatever else lies in the directory, readable by everyone who pulls the image.
//!
//! A `.dockerignore` beside the Dockerfile or in any directory above it (where the build
//! context may be), or the Dockerfile's own `<name>.dockerignore`, counts; a copy from
//! another stage or image (`--from`) is not from the context, and a copy in a build stage
//! that the final image does not build on is thrown away with that stage.

use crate::checks::{Check, Hit};
use crate::formats::dockerfile::{Dockerfile, Instruction, source_paths};

pub const CHECK: Check = Check::dockerfile(RULE, check);
const RULE: &str = "DKR017";

fn check(dockerfile: &Dockerfile<'_>, hits: &mut Vec<Hit>) {
    if dockerfile.dockerignore != Some(false) {
        return;
    }
    let shipped = dockerfile
        .stages
        .iter()
        .filter(|stage| stage.reaches_final_image)
        .flat_map(|stage| stage.body.clone());
    for index in shipped {
        let instruction = &dockerfile.instructions[index];
        let (keyword, options, sources) = match instruction {
            Instruction::Copy(copy) => ("COPY", &copy.options, &copy.src),
            Instruction::Add(add) => ("ADD", &add.options, &add.src),
            _ => continue,
        };
        if options.iter().any(|flag| flag.name.value == "from") {
            continue;
        }
        let whole = source_paths(sources)
            .find(|(path, _)| matches!(path.trim(), "." | "./" | "*" | "./*" | "/"));
        if let Some((path, span)) = whole {
            hits.push(Hit::new(
                RULE,
                span,
                format!(
                    "{keyword} `{path}` copies the whole build context, and no `.dockerignore` keeps `.git`, `.env` files or credentials out of the image"
                ),
            ));
            // One finding per Dockerfile says it.
            return;
        }
    }
}
