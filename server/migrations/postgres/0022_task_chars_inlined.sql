-- taskd_task_chars was declared IMMUTABLE, but array_to_string is only
-- STABLE (it calls the element type's output function), and PostgreSQL
-- inlines a SQL function only when its body is no more volatile than the
-- function says. So each call from the tallies' trigger ran as a function of
-- its own, its body parsed and planned again for every row written. STABLE
-- is what it is, and lets the planner put the expression in the trigger's
-- own cached plan. Nothing indexes it.
CREATE OR REPLACE FUNCTION taskd_task_chars(t tasks) RETURNS BIGINT LANGUAGE sql STABLE AS $$
    SELECT (length(t.title) + length(t.description) + COALESCE(length(t.project), 0)
        + length(array_to_string(t.tags, ' ')) + length(t.udas))::BIGINT
$$;
