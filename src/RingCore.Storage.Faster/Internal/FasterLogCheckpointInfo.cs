using System.Globalization;
using System.Text;

namespace RingCore.Storage.Faster.Internal;

/// <summary>
/// What a log checkpoint says about the main log: its records run from <see cref="BeginAddress"/>
/// to <see cref="FinalAddress"/>, every byte of which was on disk when the checkpoint completed.
/// Read from the checkpoint's metadata (<c>info.dat.0</c>), FASTER 2.x's text layout after a
/// 4-byte length: version (5), checksum, token, use-snapshot-file, version, next version,
/// flushed address, snapshot start address, start address, final address, snapshot final
/// address, head address, begin address, ...
/// </summary>
internal sealed record FasterLogCheckpointInfo(long BeginAddress, long FinalAddress)
{
    private const int SupportedVersion = 5;

    /// <exception cref="StorageCorruptedException">The metadata is missing, short or unreadable.</exception>
    public static FasterLogCheckpointInfo Read(string infoFile, int partition)
    {
        try
        {
            byte[] bytes = File.ReadAllBytes(infoFile);
            int length = BitConverter.ToInt32(bytes, 0);
            if (length <= 0 || length > bytes.Length - sizeof(int))
            {
                throw new FormatException($"its length field says {length} bytes, the file holds {bytes.Length - sizeof(int)}");
            }

            string[] lines = Encoding.UTF8.GetString(bytes, sizeof(int), length).Split('\n');
            int version = int.Parse(lines[0].Trim(), CultureInfo.InvariantCulture);
            if (version != SupportedVersion)
            {
                throw new FormatException($"it has checkpoint version {version}, this build reads version {SupportedVersion}");
            }

            long final = long.Parse(lines[9].Trim(), CultureInfo.InvariantCulture);
            long begin = long.Parse(lines[12].Trim(), CultureInfo.InvariantCulture);
            if (begin < 0 || final < begin)
            {
                throw new FormatException($"its log runs from address {begin} to {final}");
            }

            return new FasterLogCheckpointInfo(begin, final);
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException or OverflowException or IndexOutOfRangeException)
        {
            throw new StorageCorruptedException(
                $"The log checkpoint metadata '{infoFile}' of partition {partition} is unreadable: {exception.Message}.", infoFile, exception);
        }
    }
}
