using System.Text.Json;

namespace Navarch.ApiServer.Errors;

/// <summary>
/// Writes meta/v1 Status objects. KubernetesClient's V1Status converter only reads, so the server writes
/// Status itself, in the field order kube-apiserver uses.
/// </summary>
public static class StatusJson
{
    public static void WriteFailure(Utf8JsonWriter writer, ApiException error)
    {
        writer.WriteStartObject();
        writer.WriteString("kind", "Status");
        writer.WriteString("apiVersion", "v1");
        writer.WritePropertyName("metadata");
        writer.WriteStartObject();
        writer.WriteEndObject();
        writer.WriteString("status", "Failure");
        writer.WriteString("message", error.Message);
        if (error.Reason.Length > 0)
        {
            writer.WriteString("reason", error.Reason);
        }

        if (error.Details is { } details)
        {
            writer.WritePropertyName("details");
            writer.WriteStartObject();
            WriteIfSet(writer, "name", details.Name);
            WriteIfSet(writer, "group", details.Group);
            WriteIfSet(writer, "kind", details.Kind);
            WriteIfSet(writer, "uid", details.Uid);
            if (details.Causes is { Count: > 0 } causes)
            {
                writer.WritePropertyName("causes");
                writer.WriteStartArray();
                foreach (var cause in causes)
                {
                    writer.WriteStartObject();
                    WriteIfSet(writer, "reason", cause.Reason);
                    WriteIfSet(writer, "message", cause.Message);
                    WriteIfSet(writer, "field", cause.Field);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }

            if (error.RetryAfterSeconds is { } retry)
            {
                writer.WriteNumber("retryAfterSeconds", retry);
            }

            writer.WriteEndObject();
        }

        writer.WriteNumber("code", error.Code);
        writer.WriteEndObject();
    }

    public static byte[] Failure(ApiException error) => Write(w => WriteFailure(w, error));

    public static byte[] Success(int code) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("kind", "Status");
        w.WriteString("apiVersion", "v1");
        w.WritePropertyName("metadata");
        w.WriteStartObject();
        w.WriteEndObject();
        w.WriteString("status", "Success");
        w.WriteNumber("code", code);
        w.WriteEndObject();
    });

    private static byte[] Write(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream(256);
        using (var writer = new Utf8JsonWriter(stream))
        {
            write(writer);
        }

        return stream.ToArray();
    }

    private static void WriteIfSet(Utf8JsonWriter writer, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            writer.WriteString(name, value);
        }
    }
}
