using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace RingCore.Actors;

/// <summary>
/// Checks at registration that System.Text.Json stores everything a state type holds, so data
/// is never silently left out of the stored state: every instance field of the type (and of the
/// types its stored members hold, down to the framework's own) must be written and read back by
/// the serializer, or be marked <see cref="JsonIgnoreAttribute"/> on purpose.
/// </summary>
internal static class JsonStateShape
{
    /// <summary>RingCore's JSON options for state: System.Text.Json's defaults with public fields included.</summary>
    public static readonly JsonSerializerOptions DefaultOptions = new() { IncludeFields = true };

    /// <summary>Throws an <see cref="InvalidOperationException"/> naming the first member whose data the serializer would drop.</summary>
    public static void Require(Type stateType, JsonSerializerOptions options, string actorType)
    {
        if (!options.IsReadOnly)
        {
            options.MakeReadOnly(populateMissingResolver: true); // as the first serialization would
        }

        var visited = new HashSet<Type>();
        Visit(stateType, options, visited, actorType, stateType);
    }

    private static void Visit(Type type, JsonSerializerOptions options, HashSet<Type> visited, string actorType, Type stateType)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (!visited.Add(type) || type.IsPrimitive || type.IsEnum || type.IsPointer || type.ContainsGenericParameters)
        {
            return;
        }

        if (type.IsArray)
        {
            Visit(type.GetElementType()!, options, visited, actorType, stateType);
            return;
        }

        if (IsFrameworkType(type) || type.IsInterface || type.IsAbstract)
        {
            // The framework's collections and values serialize what they hold; look only at the
            // element types. Interfaces and abstract types are resolved at run time: not judged.
            VisitArguments(type, options, visited, actorType, stateType);

            return;
        }

        var info = options.GetTypeInfo(type);
        if (info.Kind != JsonTypeInfoKind.Object)
        {
            VisitArguments(type, options, visited, actorType, stateType);

            return;
        }

        var stored = new HashSet<string>(StringComparer.Ordinal);
        var writeOnly = new HashSet<string>(StringComparer.Ordinal); // fine when computed; data lost when it has a field
        foreach (var property in info.Properties)
        {
            if (property.AttributeProvider is MemberInfo member)
            {
                bool readBack = property.Set is not null || property.AssociatedParameter is not null;
                (readBack ? stored : writeOnly).Add(member.Name);
            }

            Visit(property.PropertyType, options, visited, actorType, stateType);
        }

        for (var declaring = type; declaring is not null && declaring != typeof(object); declaring = declaring.BaseType)
        {
            foreach (var field in declaring.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                string name = MemberOf(field, out var property);
                if (stored.Contains(name) || field.IsDefined(typeof(JsonIgnoreAttribute)) || property?.IsDefined(typeof(JsonIgnoreAttribute)) == true)
                {
                    continue;
                }

                throw Refused(actorType, stateType, declaring, name, writeOnly.Contains(name)
                    ? "is written but cannot be read back: it has no setter or init accessor and no constructor parameter of the same name"
                    : "holds data that System.Text.Json does not store (it is not public, or not a property or field it sees)");
            }
        }
    }

    /// <summary>Checks the type arguments of a generic type (a collection's elements, a dictionary's keys and values).</summary>
    private static void VisitArguments(Type type, JsonSerializerOptions options, HashSet<Type> visited, string actorType, Type stateType)
    {
        foreach (var argument in type.GetGenericArguments())
        {
            Visit(argument, options, visited, actorType, stateType);
        }
    }

    /// <summary>The member a field holds the data of: the property of an auto-property's backing field, a captured constructor parameter, or the field itself.</summary>
    private static string MemberOf(FieldInfo field, out PropertyInfo? property)
    {
        property = null;
        string name = field.Name;
        if (!field.IsDefined(typeof(CompilerGeneratedAttribute)) && !name.StartsWith('<'))
        {
            return name;
        }

        int end = name.IndexOf('>', StringComparison.Ordinal);
        if (name.StartsWith('<') && end > 1)
        {
            name = name[1..end];
            property = field.DeclaringType!.GetProperty(name, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly);
        }

        return name;
    }

    private static bool IsFrameworkType(Type type) =>
        type.Assembly == typeof(object).Assembly
        || type.Namespace is { } space && (space == "System" || space.StartsWith("System.", StringComparison.Ordinal) || space.StartsWith("Microsoft.", StringComparison.Ordinal));

    private static InvalidOperationException Refused(string actorType, Type stateType, Type type, string member, string why) =>
        new($"Actor type '{actorType}': its state type {stateType.Name} cannot be stored by the JSON state serializer: member '{member}' of {type.Name} {why}. "
            + "Make it a public property with a setter or init accessor (or a public field), mark it [JsonIgnore] if it need not be stored, "
            + "or register a serializer of your own with WithSerializer.");
}
