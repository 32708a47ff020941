using System.CommandLine;
using System.Text;
using RingCore.Client;

namespace RingCore.Tools.RingCtl;

/// <summary>
/// <c>ringctl kv get|put|delete</c>: the client service's key/value calls (RingClient), for an
/// operator checking a key by hand. Values are text (UTF-8), or hex with <c>--hex</c>, or a
/// file's bytes with <c>--file</c>; siblings are all shown, and the causal context as base64 to
/// pass back with <c>--context</c>.
/// </summary>
internal static class KvCommand
{
    public static Command Create(CommandContext context)
    {
        var command = new Command("kv", "Get, put and delete keys through the client service (siblings and causal contexts shown).");
        command.Subcommands.Add(Get(context));
        command.Subcommands.Add(Put(context));
        command.Subcommands.Add(Delete(context));
        return command;
    }

    private sealed class KeyArguments
    {
        public Argument<string> Bucket { get; } = new("bucket") { Description = "The bucket." };

        public Argument<string> Key { get; } = new("key") { Description = "The key, as text (or hex with --key-hex)." };

        public Option<bool> KeyHex { get; } = new("--key-hex") { Description = "The key is hex bytes." };

        public void AddTo(Command command)
        {
            command.Arguments.Add(Bucket);
            command.Arguments.Add(Key);
            command.Options.Add(KeyHex);
        }

        public (string Bucket, byte[] Key) Read(ParseResult parse)
        {
            string bucket = parse.GetValue(Bucket) ?? "";
            if (bucket.Length == 0)
            {
                throw new UsageException("<bucket> must not be empty.");
            }

            string key = parse.GetValue(Key) ?? "";
            byte[] bytes = parse.GetValue(KeyHex) ? HexBytes.ParseOption("<key>", key) : Encoding.UTF8.GetBytes(key);
            if (bytes.Length == 0)
            {
                throw new UsageException("<key> must not be empty.");
            }

            return (bucket, bytes);
        }
    }

    private static Option<int?> QuorumOption(string name, string description) => new(name) { HelpName = "n", Description = description };

    private static Command Get(CommandContext context)
    {
        var target = new NodeTarget(context);
        var key = new KeyArguments();
        var hex = new Option<bool>("--hex") { Description = "Print values as hex instead of text." };
        var r = QuorumOption("--r", "Replies to wait for (default: the bucket's R).");
        var pr = QuorumOption("--pr", "Primary replies needed (default: the bucket's PR).");
        var command = new Command("get", "Read a key: every sibling value and the causal context. Exit 1 when not found.");
        key.AddTo(command);
        target.AddTo(command);
        command.Options.Add(hex);
        command.Options.Add(r);
        command.Options.Add(pr);
        command.SetAction(parse => context.RunLive("kv get", async () =>
        {
            var call = target.Read(parse);
            var (bucket, keyBytes) = key.Read(parse);
            var quorum = Quorum(parse.GetValue(r), null, parse.GetValue(pr), null);
            await using var client = Client(call);
            var result = await client.GetAsync(bucket, keyBytes, quorum);
            if (call.Json)
            {
                JsonOutput.Write(context.Output, new
                {
                    found = result.Found,
                    values = result.Values.Select(v => Convert.ToBase64String(v.Span)).ToList(),
                    context = Convert.ToBase64String(result.Context.Span),
                });
            }
            else if (!result.Found)
            {
                context.Output.WriteLine("not found");
                context.Output.WriteLine($"context: {Convert.ToBase64String(result.Context.Span)}");
            }
            else
            {
                WriteValues(context.Output, result.Values, parse.GetValue(hex));
                context.Output.WriteLine($"context: {Convert.ToBase64String(result.Context.Span)}");
            }

            return result.Found ? ExitCodes.Success : ExitCodes.CheckFailed;
        }));
        return command;
    }

    private static Command Put(CommandContext context)
    {
        var target = new NodeTarget(context);
        var key = new KeyArguments();
        var value = new Argument<string?>("value") { Description = "The value, as text (or hex with --hex); leave it out with --file.", Arity = ArgumentArity.ZeroOrOne };
        var hex = new Option<bool>("--hex") { Description = "The value is hex bytes (and values printed with --return-body too)." };
        var file = new Option<string>("--file") { HelpName = "path", Description = "Read the value from a file." };
        var contextOption = ContextOption();
        var returnBody = new Option<bool>("--return-body") { Description = "Print the siblings stored after the write." };
        var w = QuorumOption("--w", "Acknowledgements to wait for (default: the bucket's W).");
        var pw = QuorumOption("--pw", "Primary acknowledgements needed (default: the bucket's PW).");
        var command = new Command("put", "Write a value; with --context from a get it replaces what that get saw, without it a concurrent value stays as a sibling.");
        key.AddTo(command);
        command.Arguments.Add(value);
        target.AddTo(command);
        command.Options.Add(hex);
        command.Options.Add(file);
        command.Options.Add(contextOption);
        command.Options.Add(returnBody);
        command.Options.Add(w);
        command.Options.Add(pw);
        command.SetAction(parse => context.RunLive("kv put", async () =>
        {
            var call = target.Read(parse);
            var (bucket, keyBytes) = key.Read(parse);
            string? text = parse.GetValue(value);
            string? path = parse.GetValue(file);
            byte[] bytes = (text, path) switch
            {
                (not null, not null) => throw new UsageException("a value and --file were both given; give one."),
                (null, null) => throw new UsageException("no value given: give <value> or --file."),
                (null, _) => File.ReadAllBytes(path),
                _ => parse.GetValue(hex) ? HexBytes.ParseOption("<value>", text) : Encoding.UTF8.GetBytes(text),
            };
            byte[] causal = ReadContext(parse.GetValue(contextOption));
            var quorum = Quorum(null, parse.GetValue(w), null, parse.GetValue(pw));
            await using var client = Client(call);
            var result = await client.PutAsync(bucket, keyBytes, bytes, causal, parse.GetValue(returnBody), quorum);
            if (call.Json)
            {
                JsonOutput.Write(context.Output, new
                {
                    context = Convert.ToBase64String(result.Context.Span),
                    values = result.Values.Select(v => Convert.ToBase64String(v.Span)).ToList(),
                });
                return ExitCodes.Success;
            }

            WriteValues(context.Output, result.Values, parse.GetValue(hex));
            context.Output.WriteLine($"context: {Convert.ToBase64String(result.Context.Span)}");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Delete(CommandContext context)
    {
        var target = new NodeTarget(context);
        var key = new KeyArguments();
        var contextOption = ContextOption();
        var w = QuorumOption("--w", "Acknowledgements to wait for (default: the bucket's W).");
        var pw = QuorumOption("--pw", "Primary acknowledgements needed (default: the bucket's PW).");
        var command = new Command("delete", "Delete a key (a tombstone); --context from a get makes it replace what that get saw.");
        key.AddTo(command);
        target.AddTo(command);
        command.Options.Add(contextOption);
        command.Options.Add(w);
        command.Options.Add(pw);
        command.SetAction(parse => context.RunLive("kv delete", async () =>
        {
            var call = target.Read(parse);
            var (bucket, keyBytes) = key.Read(parse);
            byte[] causal = ReadContext(parse.GetValue(contextOption));
            var quorum = Quorum(null, parse.GetValue(w), null, parse.GetValue(pw));
            await using var client = Client(call);
            await client.DeleteAsync(bucket, keyBytes, causal, quorum);
            if (call.Json)
            {
                JsonOutput.Write(context.Output, new { deleted = true });
            }
            else
            {
                context.Output.WriteLine("deleted");
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>A client of the one node the command names (no retry elsewhere: the operator chose the node).</summary>
    public static RingClient Client(NodeTarget.Target call) =>
        new(new RingClientOptions { Nodes = [call.Node], Secret = call.Secret, Timeout = call.Timeout });

    private static Option<string> ContextOption() => new("--context") { HelpName = "base64", Description = "The causal context a get printed." };

    private static byte[] ReadContext(string? base64)
    {
        if (base64 is null)
        {
            return [];
        }

        try
        {
            return Convert.FromBase64String(base64.Trim());
        }
        catch (FormatException)
        {
            throw new UsageException($"--context: {DisplayText.Quote(base64)} is not base64 (copy the context a get printed).");
        }
    }

    private static RingQuorum? Quorum(int? r, int? w, int? pr, int? pw)
    {
        foreach (var (name, value) in new[] { ("--r", r), ("--w", w), ("--pr", pr), ("--pw", pw) })
        {
            if (value is < 1)
            {
                throw new UsageException($"{name} must be at least 1 (got {value}).");
            }
        }

        return r is null && w is null && pr is null && pw is null ? null : new RingQuorum { R = r, W = w, PR = pr, PW = pw };
    }

    private static void WriteValues(TextWriter output, IReadOnlyList<ReadOnlyMemory<byte>> values, bool hex)
    {
        if (values.Count > 1)
        {
            output.WriteLine($"siblings: {values.Count}");
        }

        foreach (var value in values)
        {
            output.WriteLine($"value: {(hex ? HexBytes.Format(value.Span) : Encoding.UTF8.GetString(value.Span))}");
        }
    }
}
