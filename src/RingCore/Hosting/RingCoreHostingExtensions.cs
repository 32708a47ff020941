using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RingCore.Node;

namespace RingCore.Hosting;

/// <summary>
/// Adds a RingCore node to a generic host (docs/architecture.md, layout: Hosting): the node starts when
/// the host starts and stops when it stops.
/// </summary>
public static class RingCoreHostingExtensions
{
    /// <summary>
    /// Adds a RingCore node that runs alone (a one-member ring owning every partition), started
    /// and stopped with the host. Calling it again adds nothing more and returns a builder over
    /// the same registrations.
    /// </summary>
    /// <remarks>
    /// <para>What it registers, each replaceable (see <see cref="RingCoreBuilderExtensions"/>):</para>
    /// <list type="bullet">
    /// <item><see cref="RingNodeOptions"/>, bound from the host configuration's <c>RingCore</c> section
    /// (<c>RingCore:PartitionCount</c>; nested sections <c>Actors</c>, <c>Replication</c> and <c>Peers</c>;
    /// time spans as <c>"00:00:30"</c>), then edited by <see cref="RingCoreBuilderExtensions.Configure"/>.
    /// They are validated when the host starts: a bad value fails the start with every problem,
    /// each naming its setting by configuration path.</item>
    /// <item>Storage: in memory (<see cref="Storage.MemoryVNodeStoreProvider"/>) unless
    /// <see cref="RingCoreBuilderExtensions.UseStorage(IRingCoreBuilder, Storage.IVNodeStoreProvider)"/> chooses another.</item>
    /// <item>The clock (<see cref="TimeProvider.System"/>, unless the container already has a
    /// <see cref="TimeProvider"/>) and the scheduler (the thread pool, unless it has a
    /// <see cref="Runtime.IWorkScheduler"/>). The node logs through the container's
    /// <see cref="Microsoft.Extensions.Logging.ILoggerFactory"/> and measures through its
    /// <see cref="System.Diagnostics.Metrics.IMeterFactory"/>, when it has them.</item>
    /// <item><see cref="IRingNodeAccessor"/>, and <see cref="RingNode"/> itself, resolvable once the host has started.</item>
    /// <item>A hosted service that starts the node in the host's start (its storage is checked before
    /// the host's start completes; each store opens when first needed) and disposes it in the host's stop (actors passivate, storing
    /// WriteBehind state, then the stores close). Hosted services registered after this one
    /// start after the node.</item>
    /// </list>
    /// </remarks>
    /// <param name="services">The host's services.</param>
    /// <returns>A builder to add actor types, choose storage and edit the options.</returns>
    public static IRingCoreBuilder AddRingCore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        RingCoreDefaults.Add(services);
        return new RingCoreBuilder(services);
    }

    /// <summary>
    /// Adds a RingCore node to a host built with <see cref="IHostBuilder"/>
    /// (<c>Host.CreateDefaultBuilder</c>): <see cref="AddRingCore(IServiceCollection)"/>, then
    /// <paramref name="configure"/> on its builder.
    /// </summary>
    /// <param name="hostBuilder">The host builder.</param>
    /// <param name="configure">Adds actor types, chooses storage, edits the options.</param>
    /// <returns><paramref name="hostBuilder"/>, for chaining.</returns>
    public static IHostBuilder AddRingCore(this IHostBuilder hostBuilder, Action<IRingCoreBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(hostBuilder);
        ArgumentNullException.ThrowIfNull(configure);
        return hostBuilder.ConfigureServices((_, services) => configure(services.AddRingCore()));
    }
}
