using RingCore.Storage.Faster.Internal;

namespace RingCore.Storage.Faster;

/// <summary>
/// Opens FASTER-backed stores, one directory per partition under
/// <see cref="FasterStorageOptions.DataDirectory"/>. A partition can be open once at a time:
/// opening it again before disposing the first store throws an <see cref="IOException"/>.
/// </summary>
public sealed class FasterVNodeStoreProvider : IVNodeStoreProvider
{
    private readonly FasterStorageOptions _options;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates a provider; the options are validated and copied now.</summary>
    /// <param name="options">Where and how to store partitions.</param>
    /// <param name="timeProvider">The clock of the commit interval; the system clock when null.</param>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it.</exception>
    public FasterVNodeStoreProvider(FasterStorageOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = new FasterStorageOptions
        {
            DataDirectory = options.DataDirectory,
            CommitMode = options.CommitMode,
            CommitInterval = options.CommitInterval,
            LogMemorySize = options.LogMemorySize,
            LogPageSize = options.LogPageSize,
            IndexSize = options.IndexSize,
            RaiseThreadPoolMinimum = options.RaiseThreadPoolMinimum,
        };
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public async ValueTask<IVNodeStore> OpenAsync(int partition, CancellationToken cancellationToken = default) =>
        await FasterVNodeStore.OpenAsync(partition, _options, _timeProvider, cancellationToken).ConfigureAwait(false);
}
