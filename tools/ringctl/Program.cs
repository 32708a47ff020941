namespace RingCore.Tools.RingCtl;

/// <summary>The process entry point: everything else lives in <see cref="RingCtlApp"/> so tests can run it in-process.</summary>
internal static class Program
{
    private static int Main(string[] args) => RingCtlApp.Run(args, Console.Out, Console.Error);
}
