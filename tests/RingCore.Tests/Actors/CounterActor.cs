using RingCore.Actors;

namespace RingCore.Tests.Actors;

/// <summary>A counter actor type shared by the runtime tests.</summary>
internal static class CounterActor
{
    public sealed record State(long Count, string Log);

    public sealed record Increment(long By = 1);

    public sealed record Get;

    public sealed record Fail(string Why);

    public sealed record Tick;

    public sealed record StartTicking(TimeSpan Period);

    public static void Define(ActorRegistry actors, string name, ActorDurability durability, TimeSpan? idle = null) =>
        actors.Add<State>(name, type =>
        {
            type.InitialState(_ => new State(0, ""))
                .On<Increment>((state, message, _) => state with { Count = state.Count + message.By })
                .On<Get, long>((state, _, _) => (state, state.Count))
                .On<Fail, long>((state, message, context) =>
                {
                    // Computes a changed state, then throws: the change must be discarded.
                    var changed = state with { Count = -1 };
                    throw new InvalidOperationException(changed.Count < 0 ? message.Why : "unreachable");
                })
                .On<Tick>((state, _, _) => state with { Count = state.Count + 1 })
                .On<StartTicking>((state, message, context) =>
                {
                    context.RegisterTimer("tick", message.Period, message.Period, new Tick());
                    return state;
                })
                .WithDurability(durability);
            if (idle is { } timeout)
            {
                type.PassivateAfter(timeout);
            }
        });
}
