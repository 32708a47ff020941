using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace RingCore.Tests.Daemon;

/// <summary>
/// Runs the built ringd (src/RingCore.Node) as a child process in a working directory, collects
/// its console lines, and stops it with SIGTERM (<c>kill -TERM</c>; Process.Kill sends SIGKILL).
/// Disposing kills whatever is still running.
/// </summary>
internal sealed partial class RingdProcess : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly StringBuilder _errors = new();

    private RingdProcess(Process process) => _process = process;

    /// <summary>Every line of standard output so far.</summary>
    public string Output
    {
        get
        {
            lock (_lines)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    /// <summary>Standard error so far.</summary>
    public string Errors
    {
        get
        {
            lock (_errors)
            {
                return _errors.ToString();
            }
        }
    }

    public static RingdProcess Start(string workingDirectory, IReadOnlyDictionary<string, string>? environment = null, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
            StandardOutputEncoding = Encoding.UTF8,
        };
        startInfo.ArgumentList.Add(RingdDll());
        foreach (string argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // The test host's own settings must not leak into ringd's configuration.
        foreach (string key in startInfo.Environment.Keys.Where(key => key.StartsWith("RINGCORE", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            startInfo.Environment.Remove(key);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[key] = value;
        }

        var process = new Process { StartInfo = startInfo };
        var ringd = new RingdProcess(process);
        process.OutputDataReceived += (_, line) => ringd.OnLine(line.Data, error: false);
        process.ErrorDataReceived += (_, line) => ringd.OnLine(line.Data, error: true);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return ringd;
    }

    /// <summary>Waits for a line of standard output matching <paramref name="pattern"/> and returns its match.</summary>
    public async Task<Match> WaitForLineAsync(string pattern)
    {
        var regex = new Regex(pattern);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            lock (_lines)
            {
                foreach (string line in _lines)
                {
                    if (regex.Match(line) is { Success: true } match)
                    {
                        return match;
                    }
                }
            }

            if (_process.HasExited || deadline.Elapsed > Patience)
            {
                if (_process.HasExited)
                {
                    await _process.WaitForExitAsync(); // the rest of its output
                    if (Output.Split('\n').FirstOrDefault(regex.IsMatch) is { } last)
                    {
                        return regex.Match(last);
                    }
                }

                Assert.Fail($"ringd printed no line matching /{pattern}/ ({(_process.HasExited ? $"it exited with {_process.ExitCode}" : "still running")}).\nstdout:\n{Output}\nstderr:\n{Errors}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>The node's bound port, from its "listening on http://host:port/" line.</summary>
    public async Task<int> ListeningPortAsync() =>
        int.Parse((await WaitForLineAsync(@"listening on http://[^:]+:(\d+)/")).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Sends SIGTERM, as a service manager does.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>Waits for the process to exit (and its output to be read to the end) and returns its exit code.</summary>
    public async Task<int> ExitCodeAsync()
    {
        using var timeout = new CancellationTokenSource(Patience);
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private void OnLine(string? line, bool error)
    {
        if (line is null)
        {
            return; // the end of the stream
        }

        if (error)
        {
            lock (_errors)
            {
                _errors.AppendLine(line);
            }
        }
        else
        {
            lock (_lines)
            {
                _lines.Add(line);
            }
        }
    }

    /// <summary>src/RingCore.Node/bin/&lt;configuration&gt;/&lt;tfm&gt;/ringd.dll, found from this assembly's bin/&lt;configuration&gt;/&lt;tfm&gt;/.</summary>
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
