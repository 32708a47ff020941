using System.CommandLine;
using System.CommandLine.Invocation;

namespace RingCore.Tools.RingCtl;

/// <summary>
/// ringctl, the RingCore admin CLI: <c>plan</c> shows what a join or leave would move, <c>locate</c>
/// shows where a key lives. <see cref="Run"/> takes its writers as arguments so that tests run
/// the real command line in-process.
/// </summary>
public static class RingCtlApp
{
    /// <summary>Parses <paramref name="args"/>, runs the command they name and returns the exit code.</summary>
    /// <param name="args">The command-line arguments, without the program name.</param>
    /// <param name="output">Where results and help go (standard output).</param>
    /// <param name="error">Where errors and warnings go (standard error).</param>
    /// <returns>0 on success, 2 for bad usage (nothing done), 1 when the work itself failed.</returns>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);

        var context = new CommandContext(output, error);
        var root = new RootCommand("ringctl: plan ring membership changes, locate keys on a RingCore ring, and simulate a cluster under faults.");
        root.Subcommands.Add(PlanCommand.Create(context));
        root.Subcommands.Add(LocateCommand.Create(context));
        root.Subcommands.Add(SimulateCommand.Create(context));

        var parse = root.Parse(args);
        if (parse.Action is ParseErrorAction)
        {
            // System.CommandLine would print the errors and the whole help text and exit 1; a
            // script is better served by one line per error, a pointer to help, and exit 2.
            string command = CommandPath(parse);
            foreach (var parseError in parse.Errors)
            {
                error.WriteLine($"{command}: {parseError.Message}");
            }

            error.WriteLine($"Run '{command} --help' for usage.");
            return ExitCodes.Usage;
        }

        return parse.Invoke(new InvocationConfiguration { Output = output, Error = error });
    }

    private static string CommandPath(ParseResult parse)
    {
        // The root command is named after the executable, which is the test host under tests.
        var command = parse.CommandResult.Command;
        return command is RootCommand ? "ringctl" : $"ringctl {command.Name}";
    }
}
