//! DKR002: an image that floats: no tag, or `:latest`.
//!
//! Applies to every image the build pulls: `FROM` (after substituting global `ARG` defaults),
//! `COPY --from=<image>` and `RUN --mount=…,from=<image>`. Earlier stages, `scratch` and
//! digest-pinned references are not images that float.

use std::ops::Range;

use crate::checks::{Check, Hit};
use crate::formats::dockerfile::{Dockerfile, Instruction, Stage};
use crate::model::image::ImageRef;

pub const CHECK: Check = Check::dockerfile(RULE, check);
const RULE: &str = "DKR002";

fn check(dockerfile: &Dockerfile<'_>, hits: &mut Vec<Hit>) {
    for stage in &dockerfile.stages {
        if let Some(from) = dockerfile.from_instruction(stage)
            && let Some(image) = dockerfile.resolved_image(stage)
        {
            let via = (from.image.value.contains('$')).then(|| from.image.value.as_ref());
            report(
                dockerfile,
                stage,
                &image,
                via,
                from.image.span.clone(),
                "FROM",
                hits,
            );
        }
        for index in stage.body.clone() {
            match &dockerfile.instructions[index] {
                Instruction::Copy(copy) => {
                    for flag in &copy.options {
                        if flag.name.value == "from"
                            && let Some(value) = &flag.value
                        {
                            check_reference(
                                dockerfile,
                                stage,
                                index,
                                &value.value,
                                value.span.clone(),
                                "COPY --from",
                                hits,
                            );
                        }
                    }
                }
                Instruction::Run(run) => {
                    for flag in &run.options {
                        let Some(value) =
                            flag.value.as_ref().filter(|_| flag.name.value == "mount")
                        else {
                            continue;
                        };
                        for option in value.value.split(',') {
                            if let Some(image) = option.trim().strip_prefix("from=") {
                                let span = narrow(dockerfile.text, value.span.clone(), image);
                                check_reference(
                                    dockerfile,
                                    stage,
                                    index,
                                    image,
                                    span,
                                    "RUN --mount",
                                    hits,
                                );
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

fn check_reference(
    dockerfile: &Dockerfile<'_>,
    stage: &Stage,
    index: usize,
    reference: &str,
    span: Range<usize>,
    context: &str,
    hits: &mut Vec<Hit>,
) {
    let Some(image) = dockerfile.expand_in_stage(reference, stage, index) else {
        return;
    };
    let via = reference.contains('$').then_some(reference);
    report(dockerfile, stage, &image, via, span, context, hits);
}

fn report(
    dockerfile: &Dockerfile<'_>,
    stage: &Stage,
    image: &str,
    via: Option<&str>,
    span: Range<usize>,
    context: &str,
    hits: &mut Vec<Hit>,
) {
    let image = image.trim();
    if image.is_empty()
        || image.eq_ignore_ascii_case("scratch")
        || dockerfile.names_stage(image, stage.index)
    {
        return;
    }
    let Some(problem) = ImageRef::parse(image).floating_problem() else {
        return;
    };
    let problem = format!("{context} image `{image}` {problem}");
    let via = via
        .map(|raw| format!(" (`{raw}` with its ARG defaults)"))
        .unwrap_or_default();
    hits.push(Hit::new(RULE, span, format!("{problem}{via}")));
}

/// The span of `needle` inside `text[span]`, or the whole span if it is not there verbatim.
fn narrow(text: &str, span: Range<usize>, needle: &str) -> Range<usize> {
    text.get(span.clone())
        .and_then(|haystack| haystack.find(needle))
        .map_or(span.clone(), |at| {
            span.start + at..span.start + at + needle.len()
        })
}
