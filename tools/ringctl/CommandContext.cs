using Spectre.Console;

namespace RingCore.Tools.RingCtl;

/// <summary>
/// Where a command writes (stdout as plain text and as a Spectre console, stderr for errors) and
/// the one place that turns bad input into a one-line message and exit code 2.
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
    }

    /// <summary>Standard output, for plain lines that scripts read.</summary>
    public TextWriter Output { get; }

    /// <summary>Standard error, for errors and warnings.</summary>
    public TextWriter Error { get; }

    /// <summary>Standard output as a Spectre console, for tables people read.</summary>
    public IAnsiConsole Console { get; }

    /// <summary>
    /// Runs a command's body. Bad input, whether found by our parsing or by the library, becomes
    /// "ringctl command: message" on stderr and <see cref="ExitCodes.Usage"/>; anything else is a
    /// bug and keeps its stack trace.
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
            // The library checks its inputs with messages meant for users (STYLE.md rule 7).
            Error.WriteLine($"ringctl {command}: {UsageException.UserMessage(exception)}");
            return ExitCodes.Usage;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            Error.WriteLine($"ringctl {command}: {exception.Message}");
            return ExitCodes.Failure;
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
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No, // live displays (the simulate progress bar) only on a terminal
            Out = consoleOutput,
        });
        if (!terminal)
        {
            console.Profile.Width = RedirectedWidth;
        }

        return console;
    }
}
