//! `task done ID…`: mark tasks done.

use std::process::ExitCode;

use anyhow::Result;
use common::api::Status;

use crate::commands::set_status;
use crate::context::Ctx;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Task IDs: 3, 3,5, 4-6
    #[arg(value_name = "ID")]
    ids: Vec<String>,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    set_status(ctx, &args.ids, Status::Done, "Completed").await
}
