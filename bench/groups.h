/* The benchmark groups, in run order: one line per group. Each names a
 * `const struct tvp_group tvp_group_<name>` defined in bench/groups/<name>/<name>.c. run.sh
 * reads the names from this file to refuse an unknown group before it builds anything. */
TVP_GROUP(spawn)
TVP_GROUP(memory)
TVP_GROUP(locks)
TVP_GROUP(queues)
TVP_GROUP(ipc)
TVP_GROUP(sched)
TVP_GROUP(python)
