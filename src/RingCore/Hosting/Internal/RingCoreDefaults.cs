using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RingCore.Node;
using RingCore.Runtime;
using RingCore.Storage;

namespace RingCore.Hosting;

/// <summary>
/// Every service <c>AddRingCore</c> registers, in one place (Orleans' <c>AddDefaultServices</c>
/// habit), each with TryAdd so that a registration made before it, or a builder verb after it,
/// replaces it, and so that a second <c>AddRingCore</c> adds nothing.
/// </summary>
internal static class RingCoreDefaults
{
    public static void Add(IServiceCollection services)
    {
        // A second AddRingCore adds nothing: TryAdd would keep most registrations single, but
        // ValidateOnStart and AddOptions add a configuration step per call.
        if (services.Any(static d => d.ServiceType == typeof(RingNodeAccessor)))
        {
            return;
        }

        // Options: bound from the RingCore section, edited by Configure(...) (registered later,
        // so applied later), checked by the rules' validator when the host starts.
        services.AddOptions();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<RingNodeOptions>, RingNodeOptionsBinding>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RingNodeOptions>, RingNodeOptionsValidator>());
        services.AddOptions<RingNodeOptions>().ValidateOnStart();

        // What the node runs on (RingNodeServices); logging and metrics come from the host when it has them.
        services.TryAddSingleton<IVNodeStoreProvider, MemoryVNodeStoreProvider>();
        services.TryAddSingleton<IWorkScheduler>(ThreadPoolWorkScheduler.Instance);
        services.TryAddSingleton(TimeProvider.System);

        // The node: its lifetime follows the host's; the app reaches it through the accessor.
        services.TryAddSingleton<RingNodeAccessor>();
        services.TryAddSingleton<IRingNodeAccessor>(static provider => provider.GetRequiredService<RingNodeAccessor>());
        services.TryAddSingleton(static provider => provider.GetRequiredService<RingNodeAccessor>().Node);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RingNodeHostedService>());
    }
}
