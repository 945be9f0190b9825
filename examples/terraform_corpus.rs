//! Writes a deterministic corpus of Terraform modules for benchmarks:
//!
//! ```sh
//! cargo run --release --example terraform_corpus -- <DIR> <TF_FILES> [json]
//! ```
//!
//! Each module has four `.tf` files (`variables.tf`, `network.tf`, `database.tf`, `compute.tf`) and
//! a `terraform.tfvars`, with values that flow through variables, tfvars and locals. Core-policy
//! violations are planted at known rates (some only through a tfvars value), and their expected
//! counts are printed as JSON. With `json`, the same modules are written in Terraform's JSON
//! syntax (`.tf.json`, `.tfvars.json`), converted by `hcl-rs`.

#[path = "support/corpus.rs"]
mod corpus;
#[path = "support/rng.rs"]
mod rng;

use std::collections::BTreeMap;
use std::path::Path;
use std::{env, process};

use rng::Rng;

type Planted = BTreeMap<&'static str, usize>;

fn plant(planted: &mut Planted, rule: &'static str) {
    *planted.entry(rule).or_default() += 1;
}

fn module(rng: &mut Rng, index: usize, planted: &mut Planted) -> [(&'static str, String); 5] {
    let name = format!("svc{index:05}");
    let ssh_from_tfvars = rng.one_in(25);
    let variables = format!(
        "variable \"name\" {{\n  type    = string\n  default = \"{name}\"\n}}\n\n\
         variable \"admin_cidr\" {{\n  type    = string\n  default = \"10.0.0.0/8\"\n}}\n\n\
         variable \"db_password\" {{\n  type      = string\n  sensitive = true\n}}\n\n\
         variable \"image_tag\" {{\n  type    = string\n  default = \"1.{index}.0\"\n}}\n"
    );
    let tfvars = if ssh_from_tfvars {
        plant(planted, "TFM001");
        "admin_cidr = \"0.0.0.0/0\"\n".to_owned()
    } else {
        "admin_cidr = \"10.20.0.0/16\"\n".to_owned()
    };

    let mut network = "locals {\n  app_port = 8443\n}\n\nresource \"aws_security_group\" \"app\" {\n  name = \"${var.name}-app\"\n\n  \
         ingress {\n    from_port   = local.app_port\n    to_port     = local.app_port\n    protocol    = \"tcp\"\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n\n  \
         ingress {\n    from_port   = 22\n    to_port     = 22\n    protocol    = \"tcp\"\n    cidr_blocks = [var.admin_cidr]\n  }\n\n  \
         egress {\n    from_port   = 0\n    to_port     = 0\n    protocol    = \"-1\"\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n}\n"
        .to_owned();
    if rng.one_in(30) {
        plant(planted, "TFM001");
        network.push_str("\nresource \"aws_security_group_rule\" \"debug_ssh\" {\n  type              = \"ingress\"\n  from_port         = 22\n  to_port           = 22\n  protocol          = \"tcp\"\n  cidr_blocks       = [\"0.0.0.0/0\"]\n  security_group_id = aws_security_group.app.id\n}\n");
    }
    if rng.one_in(40) {
        plant(planted, "TFM002");
        network.push_str("\nresource \"aws_security_group_rule\" \"db_public\" {\n  type              = \"ingress\"\n  from_port         = 5432\n  to_port           = 5432\n  protocol          = \"tcp\"\n  cidr_blocks       = [\"0.0.0.0/0\"]\n  security_group_id = aws_security_group.app.id\n}\n");
    }

    let public = rng.one_in(35);
    if public {
        plant(planted, "TFM003");
    }
    let password = if rng.one_in(30) {
        plant(planted, "TFM004");
        format!("\"Pw-{:010x}-x\"", rng.next() & 0xff_ffff_ffff)
    } else {
        "var.db_password".to_owned()
    };
    let database = format!(
        "resource \"aws_db_instance\" \"main\" {{\n  identifier              = \"${{var.name}}-db\"\n  engine                  = \"postgres\"\n  \
         instance_class          = \"db.t4g.medium\"\n  username                = \"app\"\n  password                = {password}\n  \
         publicly_accessible     = {public}\n  storage_encrypted       = true\n  deletion_protection     = true\n  \
         backup_retention_period = 14\n}}\n"
    );

    let image = if rng.one_in(20) {
        plant(planted, "TFM005");
        "ghcr.io/shop/app:latest".to_owned()
    } else {
        "ghcr.io/shop/app:${var.image_tag}".to_owned()
    };
    let compute = format!(
        "resource \"aws_ecs_task_definition\" \"app\" {{\n  family = var.name\n  container_definitions = jsonencode([\n    {{\n      \
         name      = var.name\n      image     = \"{image}\"\n      essential = true\n      portMappings = [{{ containerPort = 8443 }}]\n    }}\n  ])\n}}\n"
    );
    [
        ("variables.tf", variables),
        ("terraform.tfvars", tfvars),
        ("network.tf", network),
        ("database.tf", database),
        ("compute.tf", compute),
    ]
}

fn main() {
    let args: Vec<String> = env::args().skip(1).collect();
    let (Some(dir), Some(Ok(tf_files))) = (args.first(), args.get(1).map(|n| n.parse::<usize>()))
    else {
        eprintln!("usage: terraform_corpus <DIR> <TF_FILES> [json]");
        process::exit(2);
    };
    let json = args.get(2).is_some_and(|a| a == "json");
    let dir = Path::new(dir);
    let modules = tf_files.div_ceil(4);
    let mut rng = Rng(0x7E77_A0F0);
    let mut planted: Planted = ["TFM001", "TFM002", "TFM003", "TFM004", "TFM005"]
        .into_iter()
        .map(|r| (r, 0))
        .collect();
    let (mut files, mut bytes) = (0, 0);
    for index in 0..modules {
        let module_dir = dir.join(format!(
            "team{:02}/{}",
            index % 40,
            format_args!("svc{index:05}")
        ));
        for (name, text) in module(&mut rng, index, &mut planted) {
            let (name, text) = if json {
                let value: serde_json::Value = hcl::from_str(&text).expect("generated HCL parses");
                let text = serde_json::to_string_pretty(&value).expect("JSON serialises");
                (format!("{name}.json"), text)
            } else {
                (name.to_owned(), text)
            };
            corpus::write(&module_dir.join(&name), &text);
            files += 1;
            bytes += text.len();
        }
    }
    corpus::print_summary(files, bytes, &planted);
}
