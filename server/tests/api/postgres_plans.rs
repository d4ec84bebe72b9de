//! What PostgreSQL runs inside every write stays part of the write's own
//! plan: the measure of a task's text, which the tallies' trigger takes of
//! each row written, is inlined rather than run (and parsed) as a function
//! of its own per row.

use crate::{daemon::taskd, several_daemons::database};

#[tokio::test]
async fn the_measure_of_a_tasks_text_is_inlined_into_the_tallies_plan() {
    let Some(database) = database().await else {
        return;
    };
    let migrated = taskd(&["migrate", "--database", &database.arg()], "", &[]);
    assert!(
        migrated.status.success(),
        "{}",
        String::from_utf8_lossy(&migrated.stderr)
    );
    let client = database.connect().await;
    let plan: Vec<String> = client
        .query(
            "EXPLAIN (VERBOSE, COSTS OFF) SELECT taskd_task_chars(t) FROM tasks t",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    let plan = plan.join("\n");
    assert!(
        !plan.contains("taskd_task_chars") && plan.contains("array_to_string"),
        "the function is not inlined:\n{plan}"
    );
}
