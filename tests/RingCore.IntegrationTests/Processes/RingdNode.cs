using System.Globalization;

namespace RingCore.IntegrationTests.Processes;

/// <summary>One ringd of a test cluster: a fixed loopback port (its name carries it, so a restart is the same node), its own data directory, FASTER storage.</summary>
internal sealed class RingdNode(string root, string label, int port, string secret) : IDisposable
{
    private ChildProcess? _process;

    public string Name { get; } = $"{label}@127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";

    public string Address { get; } = $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";

    public string Directory { get; } = System.IO.Directory.CreateDirectory(Path.Combine(root, label)).FullName;

    public ChildProcess Process => _process ?? throw new InvalidOperationException($"{Name} is not started.");

    public bool Running => _process is { HasExited: false };

    public async Task StartAsync()
    {
        _process?.Dispose();
        _process = ChildProcess.Start(Built.Dotnet, [Built.Ringd, "--name", Name, "--secret", secret, "--n-val", "3"], Directory);
        await _process.WaitForLineAsync("listening on");
    }

    public void Kill()
    {
        Process.KillHard();
        Process.ExitCodeAsync().GetAwaiter().GetResult();
    }

    public async Task<int> StopAsync()
    {
        Process.Terminate();
        return await Process.ExitCodeAsync();
    }

    public void Dispose() => _process?.Dispose();
}
