namespace RingCore.Tools.RingCtl;

/// <summary>
/// The exit codes ringctl returns, one meaning each so that a script can tell a failed check from
/// a broken pipe: 2 for bad usage follows the Unix convention (grep, diff); <see cref="Help"/>
/// lists them for <c>ringctl --help</c>.
/// </summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked (and a check it ran passed).</summary>
    public const int Success = 0;

    /// <summary>The command ran, and the check it ran failed: <c>simulate</c>'s verdict found violations.</summary>
    public const int CheckFailed = 1;

    /// <summary>A bad option or value: nothing was done.</summary>
    public const int Usage = 2;

    /// <summary>A file or stream could not be read or written (a full disk, a closed pipe, no permission).</summary>
    public const int IoError = 3;

    /// <summary>The codes as <c>--help</c> shows them.</summary>
    public const string Help = """
        Exit codes:
          0  done (and simulate's verdict passed)
          1  simulate's verdict failed: an acknowledged write was lost or another check failed
          2  bad usage: an unknown command or option, or a bad value; nothing was done
          3  I/O error: a file or the output could not be read or written
        """;
}
