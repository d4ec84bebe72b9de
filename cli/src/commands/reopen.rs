//! `task reopen ID…`: mark done tasks pending again.

use std::process::ExitCode;

use anyhow::Result;
use common::api::Status;

use crate::commands::set_status;
use crate::context::Ctx;
use crate::select::Names;

pub async fn run(ctx: &Ctx, args: Names) -> Result<ExitCode> {
    set_status(ctx, &args.ids, Status::Pending, "Reopened").await
}
