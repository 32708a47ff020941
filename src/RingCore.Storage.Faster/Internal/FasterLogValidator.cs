using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FASTER.core;

namespace RingCore.Storage.Faster.Internal;

/// <summary>
/// Reads a partition's logs the way FASTER's recovery will, before FASTER does, and turns any
/// record that cannot be what RingCore wrote into a <see cref="StorageCorruptedException"/> naming
/// the file. Needed because FASTER 2.6.5 reads damaged logs silently or not at all: a zeroed main
/// log recovers as an empty store, and random bytes in either log make its page reads throw on an
/// I/O thread, so recovery waits forever (issue 12: over 120 s at 0% CPU).
/// </summary>
/// <remarks>
/// <para>The main log (<c>hlog.log.&lt;segment&gt;</c>) holds fixed-size records, one
/// <c>Record&lt;byte[], byte[]&gt;</c> each, as laid out in memory, with the key and value
/// references replaced by FASTER's <see cref="AddressInfo"/>: where in the object log
/// (<c>hlog.obj.log.&lt;segment&gt;</c>) the serialized object starts, and its size rounded up to
/// 512 bytes. Records never cross a page: a page's tail too short for one is left empty.</para>
/// <para>Every record from the checkpoint's begin address to its final address is checked. The
/// first must be the sentinel the store was made with (so a zeroed log is told from an empty
/// one). A live record must point back to an older address, and its key and (unless it is a
/// delete) its value must be in the object log: the 4-byte length
/// <see cref="FasterByteArraySerializer"/> wrote, within the limits every write obeys and within
/// the file, and the value's checksum (<see cref="FasterRecordFormat"/>). An all-zero or invalid
/// record (an abandoned allocation, a write that lost a race) is skipped, as FASTER skips it,
/// but must not point into the object log, which FASTER never writes for one. So an attach
/// reads each partition's logs once: about as long as reading its files.</para>
/// </remarks>
internal static class FasterLogValidator
{
    private static readonly int RecordSize = Unsafe.SizeOf<Record<byte[], byte[]>>();
    private static readonly int InfoOffset;
    private static readonly int KeyOffset;
    private static readonly int ValueOffset;

    private const int WindowBytes = 1 << 20;

    // Key plus its 4-byte length, as FasterByteArraySerializer writes it.
    private const int LengthBytes = sizeof(int);

    static FasterLogValidator()
    {
        // The offsets of the record's fields as the runtime lays the struct out (references first),
        // which is the layout FASTER copies to disk.
        var record = default(Record<byte[], byte[]>);
        ref byte start = ref Unsafe.As<Record<byte[], byte[]>, byte>(ref record);
        InfoOffset = (int)Unsafe.ByteOffset(ref start, ref Unsafe.As<RecordInfo, byte>(ref record.info));
        KeyOffset = (int)Unsafe.ByteOffset(ref start, ref Unsafe.As<byte[], byte>(ref record.key));
        ValueOffset = (int)Unsafe.ByteOffset(ref start, ref Unsafe.As<byte[], byte>(ref record.value));
    }

    /// <summary>Checks every record of <paramref name="checkpoint"/>'s range in the logs under <paramref name="directory"/>.</summary>
    /// <param name="directory">The partition's directory.</param>
    /// <param name="partition">The partition, for messages.</param>
    /// <param name="checkpoint">The range to check.</param>
    /// <param name="pageSize">The log page size the store was written with.</param>
    /// <param name="expectSentinel">Whether the store was made with a sentinel as its first record (<see cref="FasterPartitionMarker"/>).</param>
    /// <exception cref="StorageCorruptedException">A record or object is damaged; the exception names its file.</exception>
    public static void Check(string directory, int partition, FasterLogCheckpointInfo checkpoint, long pageSize, bool expectSentinel)
    {
        using var objects = new ObjectLogReader(directory, partition);
        var page = new byte[pageSize];
        long loadedPage = -1;
        long address = checkpoint.BeginAddress;
        while (address < checkpoint.FinalAddress)
        {
            long offsetInPage = address & (pageSize - 1);
            if (offsetInPage + RecordSize > pageSize)
            {
                address += pageSize - offsetInPage; // the page's empty tail
                continue;
            }

            long pageStart = address - offsetInPage;
            int segment = (int)(address >> FasterKvInstance.SegmentSizeBits);
            string logFile = SegmentPath(directory, FasterKvInstance.LogFileName, segment);
            if (pageStart != loadedPage)
            {
                ReadPage(logFile, partition, pageStart & ((1L << FasterKvInstance.SegmentSizeBits) - 1), page, Math.Min(pageSize, checkpoint.FinalAddress - pageStart));
                loadedPage = pageStart;
            }

            var record = page.AsSpan((int)offsetInPage, RecordSize);
            bool sentinel = expectSentinel && address == checkpoint.BeginAddress;
            if (sentinel)
            {
                CheckSentinel(record, address, logFile, partition, segment, checkpoint, objects);
            }
            else
            {
                CheckRecord(record, address, logFile, partition, segment, objects);
            }

            address += RecordSize;
        }
    }

    /// <summary>
    /// The store's first record is the sentinel written when it was made. FASTER skips all-zero
    /// records (it leaves one where an allocation was abandoned), so without the sentinel a main
    /// log overwritten with zeros would pass for an empty store.
    /// </summary>
    private static void CheckSentinel(ReadOnlySpan<byte> record, long address, string logFile, int partition, int segment, FasterLogCheckpointInfo checkpoint, ObjectLogReader objects)
    {
        var info = MemoryMarshal.Read<RecordInfo>(record[InfoOffset..]);
        if (info.IsNull() || info.Invalid || info.Tombstone)
        {
            throw Damaged(logFile, partition, address,
                $"should be the record written when the store was made, and is {(info.IsNull() ? "all zeros" : "not a live record")} " +
                $"(the checkpoint says records run from {checkpoint.BeginAddress} to {checkpoint.FinalAddress}; the file was overwritten or zeroed)");
        }

        var key = MemoryMarshal.Read<AddressInfo>(record[KeyOffset..]);
        var value = MemoryMarshal.Read<AddressInfo>(record[ValueOffset..]);
        objects.Read(segment, key, 0, 0, logFile, address);
        byte[] bytes = objects.Read(segment, value, FasterRecordFormat.HeaderBytes, FasterRecordFormat.HeaderBytes + 1024, logFile, address);
        if (!bytes.AsSpan().SequenceEqual(FasterPartitionMarker.SentinelRecord(partition)))
        {
            throw ObjectDamaged(objects.PathOf(segment), partition, value.Address,
                $"should hold the sentinel of partition {partition}, written when the store was made, and holds something else");
        }
    }

    private static void CheckRecord(ReadOnlySpan<byte> record, long address, string logFile, int partition, int segment, ObjectLogReader objects)
    {
        var info = MemoryMarshal.Read<RecordInfo>(record[InfoOffset..]);
        var key = MemoryMarshal.Read<AddressInfo>(record[KeyOffset..]);
        var value = MemoryMarshal.Read<AddressInfo>(record[ValueOffset..]);
        if (info.IsNull() || info.Invalid)
        {
            // A slot an abandoned allocation left empty, or a write that lost a race; FASTER
            // skips both, and writes the object addresses of neither.
            if (IsZero(key) && IsZero(value))
            {
                return;
            }

            throw Damaged(logFile, partition, address, "is marked unused but points into the object log, which FASTER never writes");
        }

        if (info.PreviousAddress >= address)
        {
            throw Damaged(logFile, partition, address, $"points back to address {info.PreviousAddress}, which is not older than itself");
        }

        objects.Read(segment, key, 1, StorageLimits.MaxKeyBytes, logFile, address);
        if (info.Tombstone)
        {
            if (!IsZero(value))
            {
                throw Damaged(logFile, partition, address, "is a delete but points to a value, which FASTER never writes");
            }

            return;
        }

        byte[] bytes = objects.Read(segment, value, FasterRecordFormat.HeaderBytes, FasterRecordFormat.HeaderBytes + StorageLimits.MaxObjectBytes, logFile, address);
        string? problem = FasterRecordFormat.Problem(bytes);
        if (problem is not null)
        {
            throw ObjectDamaged(objects.PathOf(segment), partition, value.Address, $"holds the value of the record at address {address} of '{logFile}', and {problem}");
        }
    }

    private static bool IsZero(AddressInfo info) => info.Address == 0 && info.Size == 0;

    private static void ReadPage(string logFile, int partition, long fileOffset, byte[] page, long needed)
    {
        using var handle = File.OpenHandle(logFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        int read = 0;
        while (read < needed)
        {
            int n = RandomAccess.Read(handle, page.AsSpan(read, (int)needed - read), fileOffset + read);
            if (n == 0)
            {
                throw new StorageCorruptedException(
                    $"The FASTER log file '{logFile}' of partition {partition} ends at byte {fileOffset + read}; its checkpoint needs {fileOffset + needed}.", logFile);
            }

            read += n;
        }
    }

    private static string SegmentPath(string directory, string fileName, int segment) =>
        Path.Combine(directory, fileName + "." + segment.ToString(CultureInfo.InvariantCulture));

    private static StorageCorruptedException Damaged(string logFile, int partition, long address, string problem) =>
        new($"The FASTER log file '{logFile}' of partition {partition} is damaged: the record at address {address} {problem}.", logFile);

    private static StorageCorruptedException ObjectDamaged(string objectLogFile, int partition, long offset, string problem) =>
        new($"The FASTER object log '{objectLogFile}' of partition {partition} is damaged: the entry at offset {offset} {problem}.", objectLogFile);

    /// <summary>Reads objects from the object log's segments through a window, since records point into it mostly in order.</summary>
    private sealed class ObjectLogReader(string directory, int partition) : IDisposable
    {
        private readonly Dictionary<int, (Microsoft.Win32.SafeHandles.SafeFileHandle Handle, long Length)> _segments = [];
        private byte[] _window = new byte[WindowBytes];
        private int _windowSegment = -1;
        private long _windowStart;
        private int _windowLength;

        public string PathOf(int segment) => SegmentPath(directory, FasterKvInstance.ObjectLogFileName, segment);

        /// <summary>The object <paramref name="info"/> points to, after checking that its length lies in [min, max] and fits its size and the file.</summary>
        public byte[] Read(int segment, AddressInfo info, int min, int max, string logFile, long recordAddress)
        {
            string file = PathOf(segment);
            var (handle, length) = Open(segment, file);
            long offset = info.Address;
            if (info.Size <= 0 || offset + LengthBytes > length)
            {
                throw Damaged(logFile, partition, recordAddress,
                    $"points to {info.Size} bytes at offset {offset} of '{file}', which holds {length} bytes");
            }

            int objectLength = BinaryPrimitives.ReadInt32LittleEndian(Bytes(handle, segment, offset, LengthBytes));
            if (objectLength < min || objectLength > max || LengthBytes + (long)objectLength > info.Size || offset + LengthBytes + objectLength > length)
            {
                throw ObjectDamaged(file, partition, offset,
                    $"claims {objectLength} bytes (the record at address {recordAddress} of '{logFile}' allows {min} to {Math.Min(max, info.Size - LengthBytes)}, and the file holds {length})");
            }

            return Bytes(handle, segment, offset + LengthBytes, objectLength).ToArray();
        }

        public void Dispose()
        {
            foreach (var (handle, _) in _segments.Values)
            {
                handle.Dispose();
            }
        }

        private (Microsoft.Win32.SafeHandles.SafeFileHandle Handle, long Length) Open(int segment, string file)
        {
            if (!_segments.TryGetValue(segment, out var opened))
            {
                if (!File.Exists(file))
                {
                    throw new StorageCorruptedException(
                        $"The FASTER object log '{file}' of partition {partition} is missing, but its checkpoint holds records that point into it.", file);
                }

                var handle = File.OpenHandle(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                opened = (handle, RandomAccess.GetLength(handle));
                _segments[segment] = opened;
            }

            return opened;
        }

        private ReadOnlySpan<byte> Bytes(Microsoft.Win32.SafeHandles.SafeFileHandle handle, int segment, long offset, int count)
        {
            if (segment != _windowSegment || offset < _windowStart || offset + count > _windowStart + _windowLength)
            {
                if (_window.Length < count)
                {
                    _window = new byte[count];
                }

                _windowSegment = segment;
                _windowStart = offset;
                _windowLength = 0;
                while (true)
                {
                    int n = RandomAccess.Read(handle, _window.AsSpan(_windowLength), offset + _windowLength);
                    _windowLength += n;
                    if (n == 0 || _windowLength == _window.Length)
                    {
                        break;
                    }
                }
            }

            return _window.AsSpan((int)(offset - _windowStart), count);
        }
    }
}
