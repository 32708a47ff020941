namespace RingCore.Tools.RingCtl;

/// <summary>The exit codes ringctl returns, following the common Unix convention (2 = bad usage).</summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>The arguments were fine but the work failed (for example, a file could not be read).</summary>
    public const int Failure = 1;

    /// <summary>A bad option or value: nothing was done.</summary>
    public const int Usage = 2;
}
