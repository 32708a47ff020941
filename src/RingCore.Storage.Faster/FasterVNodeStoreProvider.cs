using RingCore.Storage.Faster.Internal;

namespace RingCore.Storage.Faster;

/// <summary>
/// Opens FASTER-backed stores, one directory per partition under
/// <see cref="FasterStorageOptions.DataDirectory"/>. A partition can be open once at a time:
/// opening it again before disposing the first store throws an <see cref="IOException"/>.
/// </summary>
/// <remarks>
/// <para>The data directory records the format and the partition count it was written with
/// (<c>ringcore-storage.json</c>, written when a node first attaches) and which partitions it
/// has created (<c>ringcore-partitions</c>). A node's start (<see cref="AttachAsync"/>) refuses
/// another partition count and checks every partition's files, so damage fails the start rather
/// than hiding data; each store then opens when the node first needs its partition.</para>
/// <para>Memory: an open store costs about 4.5 MB resident whatever the size options say, 4 MiB
/// of it FASTER's first page of overflow hash buckets (65,536 buckets of 64 bytes, allocated and
/// cleared by every FASTER store). Opening on first use keeps a node's start cheap at any
/// partition count; a node that uses all its partitions pays this for each (see bench/README.md).</para>
/// </remarks>
public sealed class FasterVNodeStoreProvider : IVNodeStoreProvider
{
    private readonly FasterStorageOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly FasterDataDirectory _data;

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
            StartDamagedPartitionsEmpty = options.StartDamagedPartitionsEmpty,
        };
        _timeProvider = timeProvider ?? TimeProvider.System;
        _data = new FasterDataDirectory(_options);
    }

    /// <summary>
    /// Checks the data directory for a node with <paramref name="layout"/>: creates it and its
    /// manifest when new; otherwise refuses a manifest of another format or partition count, and
    /// checks every partition's files (reading their logs once) and that no partition it created
    /// has vanished.
    /// </summary>
    /// <exception cref="ArgumentException">The directory was written with another partition count (the message names both) or log page size.</exception>
    /// <exception cref="StorageCorruptedException">
    /// A partition's files are missing or damaged (the exception names the file), unless
    /// <see cref="FasterStorageOptions.StartDamagedPartitionsEmpty"/> is set.
    /// </exception>
    /// <exception cref="IOException">The data directory is a file, cannot be written, or a partition is open elsewhere.</exception>
    public ValueTask AttachAsync(VNodeStoreLayout layout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(layout);
        return _data.AttachAsync(layout, cancellationToken);
    }

    /// <inheritdoc />
    public IReadOnlyCollection<int>? StoredPartitions => _data.CreatedPartitions();

    /// <inheritdoc />
    /// <exception cref="StorageCorruptedException">
    /// The partition's files are missing or damaged, or it held data and its directory vanished,
    /// unless <see cref="FasterStorageOptions.StartDamagedPartitionsEmpty"/> is set.
    /// </exception>
    /// <exception cref="IOException">The partition is open elsewhere, or its directory cannot be written.</exception>
    public async ValueTask<IVNodeStore> OpenAsync(int partition, CancellationToken cancellationToken = default) =>
        await FasterVNodeStore.OpenAsync(partition, _options, _data, _timeProvider, cancellationToken).ConfigureAwait(false);
}
