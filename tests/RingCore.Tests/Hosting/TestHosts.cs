using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using RingCore.Actors;
using RingCore.Hosting;

namespace RingCore.Tests.Hosting;

/// <summary>Generic hosts for the hosting tests: no defaults (no environment variables, files or console), configuration in memory.</summary>
internal static class TestHosts
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    public sealed record Count(long Value);

    public sealed record Add(long By);

    public sealed record Get;

    /// <summary>A counter actor type: <see cref="Add"/> and <see cref="Get"/> both reply with the count.</summary>
    public static void DefineCounter(ActorRegistry actors, string name, ActorDurability durability) =>
        actors.Add<Count>(name, type => type
            .InitialState(_ => new Count(0))
            .On<Add, long>((count, add, _) => (new Count(count.Value + add.By), count.Value + add.By))
            .On<Get, long>((count, _, _) => (count, count.Value))
            .WithDurability(durability));

    public static IHost Build(IReadOnlyDictionary<string, string?>? configuration = null, Action<IRingCoreBuilder>? ringCore = null,
        Action<HostApplicationBuilder>? more = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(configuration ?? new Dictionary<string, string?>());
        var ring = builder.Services.AddRingCore();
        ringCore?.Invoke(ring);
        more?.Invoke(builder);
        return builder.Build();
    }
}
