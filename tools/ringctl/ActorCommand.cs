using System.CommandLine;
using System.Text;
using System.Text.Json;

namespace RingCore.Tools.RingCtl;

/// <summary><c>ringctl actor ask|tell</c>: sends one JSON message to a per-key actor through the client service (ask prints its reply).</summary>
internal static class ActorCommand
{
    public static Command Create(CommandContext context)
    {
        var command = new Command("actor", "Send messages to per-key actors through the client service.");
        command.Subcommands.Add(Message(context, "ask", "Send a JSON message to the actor (type, key) and print its reply."));
        command.Subcommands.Add(Message(context, "tell", "Send a JSON message to the actor (type, key) without waiting for it to be handled (at most once)."));
        return command;
    }

    private static Command Message(CommandContext context, string name, string description)
    {
        var target = new NodeTarget(context);
        var type = new Argument<string>("type") { Description = "The actor type as the node registered it (for example counter)." };
        var key = new Argument<string>("key") { Description = "The actor's key, as text." };
        var messageType = new Argument<string>("messageType") { Description = "The message's type as the actor type knows it (the .NET type's full name)." };
        var json = new Argument<string>("json") { Description = "The message as JSON." };
        var command = new Command(name, description);
        command.Arguments.Add(type);
        command.Arguments.Add(key);
        command.Arguments.Add(messageType);
        command.Arguments.Add(json);
        target.AddTo(command);
        command.SetAction(parse => context.RunLive($"actor {name}", async () =>
        {
            var call = target.Read(parse);
            string actorType = Require("type", parse.GetValue(type));
            byte[] actorKey = Encoding.UTF8.GetBytes(Require("key", parse.GetValue(key)));
            string message = Require("messageType", parse.GetValue(messageType));
            string payload = parse.GetValue(json) ?? "";
            try
            {
                using var _ = JsonDocument.Parse(payload);
            }
            catch (JsonException exception)
            {
                throw new UsageException($"<json> is not JSON: {exception.Message}");
            }

            await using var client = KvCommand.Client(call);
            if (name == "tell")
            {
                await client.TellAsync(actorType, actorKey, message, Encoding.UTF8.GetBytes(payload));
                if (call.Json)
                {
                    JsonOutput.Write(context.Output, new { accepted = 1 });
                }
                else
                {
                    context.Output.WriteLine("accepted");
                }

                return ExitCodes.Success;
            }

            var reply = await client.AskAsync(actorType, actorKey, message, Encoding.UTF8.GetBytes(payload));
            if (call.Json)
            {
                JsonOutput.Write(context.Output, new { replyType = reply.ReplyType, reply = TryJson(reply.Payload), payload = Convert.ToBase64String(reply.Payload.Span) });
            }
            else
            {
                context.Output.WriteLine(Encoding.UTF8.GetString(reply.Payload.Span));
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    private static JsonElement? TryJson(ReadOnlyMemory<byte> payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Require(string what, string? value) =>
        string.IsNullOrEmpty(value) ? throw new UsageException($"<{what}> must not be empty.") : value;
}
