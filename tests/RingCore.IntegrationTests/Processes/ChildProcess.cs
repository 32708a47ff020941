using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace RingCore.IntegrationTests.Processes;

/// <summary>A process a test started: its output kept line by line, waited on by pattern, stopped with SIGTERM or SIGKILL, killed at dispose.</summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly StringBuilder _errors = new();

    private ChildProcess(Process process) => _process = process;

    public static TimeSpan Patience { get; } = TimeSpan.FromSeconds(60);

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

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

    public static ChildProcess Start(string fileName, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (string argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // The test host's own settings must not leak into the child's configuration.
        foreach (string key in startInfo.Environment.Keys.Where(key => key.StartsWith("RINGCORE", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            startInfo.Environment.Remove(key);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[key] = value;
        }

        var process = new Process { StartInfo = startInfo };
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, line) => child.OnLine(line.Data, error: false);
        process.ErrorDataReceived += (_, line) => child.OnLine(line.Data, error: true);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Waits for a line of standard output matching <paramref name="pattern"/>.</summary>
    public async Task<Match> WaitForLineAsync(string pattern, TimeSpan? patience = null)
    {
        var regex = new Regex(pattern);
        var clock = Stopwatch.StartNew();
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

            if (_process.HasExited || clock.Elapsed > (patience ?? Patience))
            {
                if (_process.HasExited)
                {
                    await _process.WaitForExitAsync();
                    if (Output.Split('\n').FirstOrDefault(regex.IsMatch) is { } last)
                    {
                        return regex.Match(last);
                    }
                }

                Assert.Fail($"{_process.StartInfo.FileName} printed no line matching /{pattern}/ ({(_process.HasExited ? $"exited with {_process.ExitCode}" : "still running")}).\nstdout:\n{Tail(Output)}\nstderr:\n{Tail(Errors)}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Sends SIGTERM, as a service manager does.</summary>
    public void Terminate() => Signal("TERM");

    /// <summary>Sends SIGKILL: the process dies at once, with nothing flushed.</summary>
    public void KillHard() => Signal("KILL");

    public async Task<int> ExitCodeAsync(TimeSpan? patience = null)
    {
        using var timeout = new CancellationTokenSource(patience ?? Patience);
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

    private static string Tail(string text) => text.Length <= 6_000 ? text : "..." + text[^6_000..];

    private void Signal(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    private void OnLine(string? line, bool error)
    {
        if (line is null)
        {
            return;
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
}
