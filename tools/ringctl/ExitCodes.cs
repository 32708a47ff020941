namespace RingCore.Tools.RingCtl;

/// <summary>
/// The exit codes ringctl returns, one meaning each so that a script can tell a failed check from
/// a broken pipe or a node that is down: 2 for bad usage follows the Unix convention (grep,
/// diff); <see cref="Help"/> lists them for <c>ringctl --help</c>. docs/ringctl.md documents them;
/// their numbers never change.
/// </summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked (and a check it ran passed).</summary>
    public const int Success = 0;

    /// <summary>The command ran, and its answer is no: <c>simulate</c>'s verdict found violations, <c>kv get</c> found no value (as grep finding nothing).</summary>
    public const int CheckFailed = 1;

    /// <summary>A bad option or value, or a node that said an argument is invalid: nothing was done.</summary>
    public const int Usage = 2;

    /// <summary>A file or stream could not be read or written (a full disk, a closed pipe, no permission).</summary>
    public const int IoError = 3;

    /// <summary>The node could not be reached or did not answer in time (connection refused, UNAVAILABLE, DEADLINE_EXCEEDED).</summary>
    public const int Unreachable = 4;

    /// <summary>The node refused the secret (UNAUTHENTICATED): <c>--secret</c> or RINGCORE_SECRET is missing or wrong.</summary>
    public const int Unauthenticated = 5;

    /// <summary>The node refused the request (FAILED_PRECONDITION, ABORTED, RESOURCE_EXHAUSTED, UNIMPLEMENTED...): the claimant refused a change, an actor's handler threw.</summary>
    public const int Refused = 6;

    /// <summary><c>devcluster up</c>: a ringd did not start, or the cluster did not settle (joined, transfers done) within <c>--timeout</c>.</summary>
    public const int NotSettled = 7;

    /// <summary>The codes as <c>--help</c> shows them.</summary>
    public const string Help = """
        Exit codes:
          0  done (and simulate's verdict passed)
          1  the answer is no: simulate's verdict failed, or kv get found no value
          2  bad usage: an unknown command or option, or a bad value (or the node said so); nothing was done
          3  I/O error: a file or the output could not be read or written
          4  the node could not be reached or did not answer in time
          5  the node refused the secret (--secret, RINGCORE_SECRET)
          6  the node refused the request (the claimant refused a change, an actor's handler threw)
          7  devcluster up: a node did not start or the cluster did not settle in time
        """;
}
