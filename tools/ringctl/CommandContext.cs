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
