using Grpc.Core;
using RingCore.Client;
using Spectre.Console;

namespace RingCore.Tools.RingCtl;

/// <summary>
/// Where a command writes (stdout as plain text and as a Spectre console, stderr for errors and,
/// on a terminal, progress) and the one place that turns bad input into a one-line message and
/// exit code 2, and a failed read or write into exit code 3.
/// </summary>
internal sealed class CommandContext
{
    // Width used when stdout is a file, a pipe or a test's StringWriter: wide enough that the
    // tables never wrap, and fixed so that the output does not depend on who runs it.
    private const int RedirectedWidth = 120;

    public CommandContext(TextWriter output, TextWriter error)
    {
        Output = output;
        Error = error;
        Console = CreateConsole(output);
        var errorOutput = new AnsiConsoleOutput(error);
        Progress = errorOutput.IsTerminal ? AnsiConsole.Create(new AnsiConsoleSettings { Out = errorOutput }) : null;
    }

    /// <summary>The node a live command calls, once its options were read: error lines name it.</summary>
    public string? Node { get; set; }

    /// <summary>Standard output, for plain lines that scripts read.</summary>
    public TextWriter Output { get; }

    /// <summary>Standard error, for errors and warnings.</summary>
    public TextWriter Error { get; }

    /// <summary>Standard output as a Spectre console, for tables people read.</summary>
    public IAnsiConsole Console { get; }

    /// <summary>
    /// Standard error as a Spectre console for live progress, or null when stderr is not a
    /// terminal: progress is for someone watching, and in a file or a pipe it would only be
    /// stale lines that make two identical runs differ (issue 12).
    /// </summary>
    public IAnsiConsole? Progress { get; }

    /// <summary>
    /// Runs a command's body. Bad input, whether found by our parsing or by the library, becomes
    /// "ringctl command: message" on stderr and <see cref="ExitCodes.Usage"/>; a file or stream that
    /// cannot be read or written, the same line and <see cref="ExitCodes.IoError"/>; anything else
    /// is a bug and keeps its stack trace.
    /// </summary>
    public int Run(string command, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (UsageException exception)
        {
            Error.WriteLine($"ringctl {command}: {exception.Message}");
            return ExitCodes.Usage;
        }
        catch (ArgumentException exception)
        {
            // The library checks its inputs with messages meant for users (docs/architecture.md, rules for contributors).
            Error.WriteLine($"ringctl {command}: {UsageException.UserMessage(exception)}");
            return ExitCodes.Usage;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            Error.WriteLine($"ringctl {command}: {exception.Message}");
            return ExitCodes.IoError;
        }
    }

    /// <summary>
    /// Runs a live command's body (one that calls nodes) the way <see cref="Run"/> does, and also
    /// turns a node's answer into one line and its exit code: unreachable or too slow
    /// <see cref="ExitCodes.Unreachable"/>, the secret refused <see cref="ExitCodes.Unauthenticated"/>,
    /// an invalid argument <see cref="ExitCodes.Usage"/>, anything else refused <see cref="ExitCodes.Refused"/>.
    /// The body runs on the thread pool, so that no caller's synchronization context waits on itself.
    /// </summary>
    public int RunLive(string command, Func<Task<int>> body) => Run(command, () =>
    {
        try
        {
            return Task.Run(body).GetAwaiter().GetResult();
        }
        catch (RpcException failure)
        {
            string node = Node is null ? "" : $"node {Node}: ";
            Error.WriteLine($"ringctl {command}: {node}{Describe(failure)}");
            return ExitCodeOf(failure.StatusCode);
        }
        catch (RingUnavailableException failure)
        {
            string nodes = string.Join(", ", failure.Attempts.Select(a => a.Node));
            string why = failure.Attempts is [.., var last] && last.InnerException is RpcException rpc ? Describe(rpc) : failure.Message;
            Error.WriteLine($"ringctl {command}: no node answered ({nodes}): {why}");
            return ExitCodes.Unreachable;
        }
        catch (RingClientException failure)
        {
            Error.WriteLine($"ringctl {command}: {(failure.InnerException is RpcException rpc ? $"node {failure.Node}: {Describe(rpc)}" : failure.Message)}");
            return ExitCodeOf(failure.Status);
        }
    });

    /// <summary>The exit code for a call that ended with <paramref name="status"/>.</summary>
    public static int ExitCodeOf(StatusCode status) => status switch
    {
        StatusCode.Unavailable or StatusCode.DeadlineExceeded => ExitCodes.Unreachable,
        StatusCode.Unauthenticated or StatusCode.PermissionDenied => ExitCodes.Unauthenticated,
        StatusCode.InvalidArgument or StatusCode.OutOfRange => ExitCodes.Usage,
        _ => ExitCodes.Refused,
    };

    /// <summary>A failed call in one line: what happened in words, then the node's own reason.</summary>
    public static string Describe(RpcException failure)
    {
        string detail = failure.Status.DebugException?.Message ?? failure.Status.Detail;
        if (failure.StatusCode != StatusCode.Unavailable && !string.IsNullOrEmpty(failure.Status.Detail))
        {
            detail = failure.Status.Detail;
        }

        detail = detail.ReplaceLineEndings(" ");
        return failure.StatusCode switch
        {
            StatusCode.Unavailable => $"unreachable: {detail}",
            StatusCode.DeadlineExceeded => "no answer in time (--timeout).",
            StatusCode.Unauthenticated or StatusCode.PermissionDenied => $"the secret was refused (give --secret or set {NodeTarget.SecretVariable}): {detail}",
            StatusCode.InvalidArgument or StatusCode.OutOfRange => $"invalid argument: {detail}",
            StatusCode.FailedPrecondition => $"refused: {detail}",
            StatusCode.Aborted => $"the actor's handler failed: {detail}",
            StatusCode.Unimplemented => $"not served by this node (an older ringd?): {detail}",
            _ => $"{failure.StatusCode}: {detail}",
        };
    }

    /// <summary>Writes a warning that does not stop the command.</summary>
    public void Warn(string command, string message) => Error.WriteLine($"ringctl {command}: warning: {message}");

    private static IAnsiConsole CreateConsole(TextWriter output)
    {
        var consoleOutput = new AnsiConsoleOutput(output);
        bool terminal = consoleOutput.IsTerminal;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No, // live displays go to Progress, never into the results
            Out = consoleOutput,
        });
        if (!terminal)
        {
            console.Profile.Width = RedirectedWidth;
        }

        return console;
    }
}
