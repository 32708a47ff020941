using RingCore.IntegrationTests.Processes;

namespace RingCore.Tests.Daemon;

/// <summary>
/// Runs the built ringd (src/RingCore.Node) as a child process in a working directory, collects
/// its console lines, and stops it with SIGTERM (<c>kill -TERM</c>; Process.Kill sends SIGKILL).
/// Disposing kills whatever is still running. The process handling is the integration tests'
/// <see cref="ChildProcess"/> (linked into this project), with a shorter patience.
/// </summary>
internal sealed class RingdProcess : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    private readonly ChildProcess _process;

    private RingdProcess(ChildProcess process) => _process = process;

    /// <summary>Every line of standard output so far.</summary>
    public string Output => _process.Output;

    /// <summary>Standard error so far.</summary>
    public string Errors => _process.Errors;

    public static RingdProcess Start(string workingDirectory, IReadOnlyDictionary<string, string>? environment = null, params string[] arguments) =>
        new(ChildProcess.Start(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", [RingdDll(), .. arguments], workingDirectory, environment));

    /// <summary>Waits for a line of standard output matching <paramref name="pattern"/> and returns its match.</summary>
    public Task<System.Text.RegularExpressions.Match> WaitForLineAsync(string pattern) => _process.WaitForLineAsync(pattern, Patience);

    /// <summary>The node's bound port, from its "listening on http://host:port/" line.</summary>
    public async Task<int> ListeningPortAsync() =>
        int.Parse((await WaitForLineAsync(@"listening on https?://[^:]+:(\d+)/")).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Sends SIGTERM, as a service manager does.</summary>
    public void Terminate() => _process.Terminate();

    /// <summary>Waits for the process to exit (and its output to be read to the end) and returns its exit code.</summary>
    public Task<int> ExitCodeAsync() => _process.ExitCodeAsync(Patience);

    public void Dispose() => _process.Dispose();

    private static string RingdDll()
    {
        var binTfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var binConfiguration = binTfm.Parent!;
        var root = binConfiguration.Parent!.Parent!.Parent!.Parent!;
        string dll = Path.Combine(root.FullName, "src", "RingCore.Node", "bin", binConfiguration.Name, binTfm.Name, "ringd.dll");
        Assert.True(File.Exists(dll), $"ringd is not built at {dll}; build the solution (dotnet build RingCore.sln).");
        return dll;
    }
}
