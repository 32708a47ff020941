using System.CommandLine;
using System.CommandLine.Help;
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
    /// <returns>An <see cref="ExitCodes"/> value: 0 done, 1 the answer is no, 2 bad usage (nothing done), 3 an I/O error, 4 a node unreachable, 5 the secret refused, 6 the request refused, 7 a devcluster that did not settle.</returns>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);

        var context = new CommandContext(output, error);
        var root = new RootCommand("ringctl: plan ring membership changes, locate keys and simulate a cluster offline; run, change and inspect a live RingCore cluster.");
        root.Subcommands.Add(PlanCommand.Create(context));
        root.Subcommands.Add(LocateCommand.Create(context));
        root.Subcommands.Add(SimulateCommand.Create(context));
        root.Subcommands.Add(ClusterCommand.Create(context));
        root.Subcommands.Add(StatusCommands.MemberStatus(context));
        root.Subcommands.Add(StatusCommands.RingStatus(context));
        root.Subcommands.Add(TransfersCommand.Create(context));
        root.Subcommands.Add(StatusCommands.AntiEntropyStatus(context));
        root.Subcommands.Add(KvCommand.Create(context));
        root.Subcommands.Add(ActorCommand.Create(context));
        root.Subcommands.Add(DevClusterCommand.Create(context));
        AddExitCodesToHelp(root, output);

        var parse = root.Parse(args);
        if (parse.Action is ParseErrorAction)
        {
            // System.CommandLine would print the errors and the whole help text and exit 1; a
            // script is better served by one line per problem, a pointer to help, and exit 2.
            string command = CommandPath(parse);
            var problems = Problems(parse);
            for (int i = 0; i < problems.Count; i++)
            {
                string hint = i == problems.Count - 1 ? $" Run '{command} --help' for usage." : "";
                error.WriteLine($"{command}: {problems[i]}{hint}");
            }

            return ExitCodes.Usage;
        }

        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = output, Error = error });
        }
        catch (IOException exception)
        {
            // Writing the help text failed (a closed pipe): the commands' own writes are caught in CommandContext.Run.
            error.WriteLine($"{CommandPath(parse)}: {exception.Message}");
            return ExitCodes.IoError;
        }
    }

    /// <summary>
    /// The parse errors to report. A word where a command belongs is one problem, the unknown
    /// command or option, though System.CommandLine also reports that no command was given.
    /// </summary>
    private static List<string> Problems(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        if (command.Subcommands.Count > 0 && parse.UnmatchedTokens is [var word, ..])
        {
            string known = string.Join(", ", command.Subcommands.Select(c => c.Name));
            string what = word.StartsWith('-') ? "option" : "command";
            return [$"unknown {what} {DisplayText.Quote(word)}; the commands are {known}."];
        }

        return parse.Errors.Select(e => e.Message).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>Every command's --help ends with the exit codes (the help option is shared by the subcommands).</summary>
    private static void AddExitCodesToHelp(RootCommand root, TextWriter output)
    {
        var help = root.Options.OfType<HelpOption>().Single();
        if (help.Action is SynchronousCommandLineAction standard)
        {
            help.Action = new HelpWithExitCodes(standard, output);
        }
    }

    private sealed class HelpWithExitCodes(SynchronousCommandLineAction standard, TextWriter output) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            int exitCode = standard.Invoke(parseResult);
            output.WriteLine(ExitCodes.Help);
            output.WriteLine();
            return exitCode;
        }
    }

    private static string CommandPath(ParseResult parse)
    {
        // The root command is named after the executable, which is the test host under tests.
        var names = new List<string>();
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            if (result.Command is not RootCommand)
            {
                names.Insert(0, result.Command.Name);
            }
        }

        return names.Count == 0 ? "ringctl" : $"ringctl {string.Join(' ', names)}";
    }
}
