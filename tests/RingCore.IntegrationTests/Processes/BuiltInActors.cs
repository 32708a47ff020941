namespace RingCore.IntegrationTests.Processes;

/// <summary>ringd's built-in counter actor, by the names a client sends (docs/ringd.md).</summary>
internal static class BuiltInActors
{
    public const string Counter = "counter";

    public const string Increment = "RingCore.Daemon.Actors.Counter.Increment";

    public const string Get = "RingCore.Daemon.Actors.Counter.Get";
}
