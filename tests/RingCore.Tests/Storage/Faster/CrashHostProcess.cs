using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace RingCore.Tests.Storage.Faster;

/// <summary>
/// Runs tests/RingCore.StorageCrashHost as a child process, collects its "ACK n" lines with the
/// time each arrived, and SIGKILLs it (Process.Kill on Linux) when the test says so.
/// </summary>
internal sealed class CrashHostProcess
{
    private readonly List<(long Key, TimeSpan At)> _acks = [];

    private CrashHostProcess()
    {
    }

    /// <summary>Every key the host reported as written, with when the test read the report (from the host's OPEN line).</summary>
    public IReadOnlyList<(long Key, TimeSpan At)> Acks => _acks;

    /// <summary>When the kill was sent, on the same clock as <see cref="Acks"/>.</summary>
    public TimeSpan KilledAt { get; private set; }

    /// <summary>The host's value for key-<paramref name="n"/> (see its Program.cs).</summary>
    public static string Value(long n) => "value-" + n.ToString(CultureInfo.InvariantCulture) + new string('v', (int)(n % 97));

    /// <summary>The host's metadata for key-<paramref name="n"/>.</summary>
    public static byte[] Metadata(long n) => BitConverter.GetBytes(n);

    /// <summary>
    /// Starts the host on <paramref name="dataDirectory"/>, lets it write until
    /// <paramref name="killWhen"/> says so (given the acks so far and the time since OPEN), kills
    /// it, and reads whatever acks it had printed before dying.
    /// </summary>
    public static async Task<CrashHostProcess> RunAndKillAsync(
        string dataDirectory, string mode, long start, int writers, Func<int, TimeSpan, bool> killWhen)
    {
        var startInfo = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (string argument in new[] { HostDll(), dataDirectory, mode, start.ToString(CultureInfo.InvariantCulture), writers.ToString(CultureInfo.InvariantCulture) })
        {
            startInfo.ArgumentList.Add(argument);
        }

        var run = new CrashHostProcess();
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("could not start the crash host");
        var errors = process.StandardError.ReadToEndAsync();
        var clock = new Stopwatch();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            while (true)
            {
                string? line = await process.StandardOutput.ReadLineAsync(timeout.Token);
                if (line is null)
                {
                    await process.WaitForExitAsync(CancellationToken.None);
                    Assert.Fail($"The crash host exited ({process.ExitCode}) before it was killed. stderr:\n{await errors}");
                }

                if (line == "OPEN")
                {
                    clock.Start();
                    continue;
                }

                run.Record(line, clock.Elapsed);
                if (killWhen(run._acks.Count, clock.Elapsed))
                {
                    break;
                }
            }
        }
        finally
        {
            run.KilledAt = clock.Elapsed;
            process.Kill(entireProcessTree: true);
        }

        // Acks already in the pipe were printed before the kill: their writes must survive too.
        string rest = await process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        foreach (string line in rest.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            run.Record(line.TrimEnd('\r'), run.KilledAt);
        }

        await process.WaitForExitAsync(CancellationToken.None);
        return run;
    }

    private void Record(string line, TimeSpan at)
    {
        Assert.StartsWith("ACK ", line);
        _acks.Add((long.Parse(line.AsSpan(4), CultureInfo.InvariantCulture), at));
    }

    /// <summary>tests/RingCore.StorageCrashHost/bin/&lt;configuration&gt;/&lt;tfm&gt;/, found from this assembly's bin/&lt;configuration&gt;/&lt;tfm&gt;/.</summary>
    private static string HostDll()
    {
        var binTfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var binConfiguration = binTfm.Parent!;
        var tests = binConfiguration.Parent!.Parent!.Parent!;
        string dll = Path.Combine(tests.FullName, "RingCore.StorageCrashHost", "bin", binConfiguration.Name, binTfm.Name, "RingCore.StorageCrashHost.dll");
        Assert.True(File.Exists(dll), $"The crash host is not built at {dll}; build the solution (dotnet build RingCore.sln).");
        return dll;
    }
}
