using Microsoft.Extensions.Logging;

namespace RingCore.Storage.Faster.Internal;

/// <summary>
/// The log events of the FASTER backend, source-generated, in the storage range of RingCore's
/// event ids (5xxx; this assembly uses 5100 to 5199). They go to the logger the node hands over
/// in <see cref="VNodeStoreLayout.Logger"/> (category <c>RingCore</c>).
/// </summary>
internal static partial class FasterStorageLog
{
    [LoggerMessage(5100, LogLevel.Information, "FASTER data directory {DataDirectory} created for a ring of {Partitions} partitions")]
    public static partial void DataDirectoryCreated(ILogger logger, string dataDirectory, int partitions);

    [LoggerMessage(5101, LogLevel.Warning,
        "Partition {Partition} of FASTER data directory {DataDirectory} was missing or damaged and starts empty (StartDamagedPartitionsEmpty); its files, if any, were moved to {SetAside}")]
    public static partial void PartitionStartsEmpty(ILogger logger, Exception damage, int partition, string dataDirectory, string setAside);
}
