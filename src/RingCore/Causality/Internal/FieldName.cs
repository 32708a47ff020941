using System.Globalization;

namespace RingCore.Causality;

/// <summary>
/// The name of a field a <see cref="ClockReader"/> reads, "counter of entry 3", kept as its parts
/// and formatted only when a message needs it: every read names each field it reads, and almost
/// every read succeeds (formatting them cost five strings per decoded set).
/// </summary>
internal readonly struct FieldName(string name, int index = -1)
{
    public static implicit operator FieldName(string name) => new(name);

    public override string ToString() => index < 0 ? name : string.Create(CultureInfo.InvariantCulture, $"{name} {index}");
}
