using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace RingCore.Storage;

/// <summary>
/// What a node is about to keep in a storage provider: its name and the ring's partition count
/// (Q), handed to <see cref="IVNodeStoreProvider.AttachAsync"/> once per start, before any
/// partition opens. A provider that keeps data across restarts records Q and refuses another,
/// since a key's partition is the top log2(Q) bits of its position: the same data read with a
/// different Q would show only a fraction of its keys.
/// </summary>
public sealed class VNodeStoreLayout
{
    /// <summary>Creates a layout.</summary>
    /// <param name="nodeName">The node's name.</param>
    /// <param name="partitionCount">Q, the ring's partition count (a power of two from 8 to 65536).</param>
    /// <param name="logger">Where the provider logs what it finds (category <c>RingCore</c>); nowhere when null.</param>
    /// <exception cref="ArgumentException">The name is empty or Q is not a power of two from 8 to 65536.</exception>
    public VNodeStoreLayout(string nodeName, int partitionCount, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(nodeName);
        if (partitionCount < 8 || partitionCount > 65536 || (partitionCount & (partitionCount - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(partitionCount), partitionCount,
                $"The partition count must be a power of two from 8 to 65536 (got {partitionCount}).");
        }

        NodeName = nodeName;
        PartitionCount = partitionCount;
        Logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The node's name.</summary>
    public string NodeName { get; }

    /// <summary>Q, the ring's partition count; partitions are numbered 0 to Q - 1.</summary>
    public int PartitionCount { get; }

    /// <summary>Where the provider logs; never null.</summary>
    public ILogger Logger { get; }
}
