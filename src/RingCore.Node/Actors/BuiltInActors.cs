using System.Text.Json;
using RingCore.Actors;

namespace RingCore.Daemon.Actors;

/// <summary>
/// The actor types every ringd defines, so that a client in any language (ringctl, a Node.js
/// script, a test) can use actors without writing .NET code (docs/ringd.md, "Built-in actors").
/// Their messages and replies are JSON in the web style (camelCase names, read case-insensitively:
/// <c>{"by":1}</c>); a message's type name is its .NET full name.
/// </summary>
internal static class BuiltInActors
{
    /// <summary>The message serializer of the built-in types: System.Text.Json with its web defaults.</summary>
    public static JsonMessageSerializer Messages { get; } = new(JsonSerializerOptions.Web);

    /// <summary>Defines every built-in actor type.</summary>
    public static void Define(ActorRegistry actors)
    {
        Counter.CounterActor.Define(actors);
        Register.RegisterActor.Define(actors);
    }
}
