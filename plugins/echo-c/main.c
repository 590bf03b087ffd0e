// A first-party tool plugin in C: Dify's plugin protocol over stdio, JSON by jansson.
//
// Each line on stdin is a request; each answer is lines on stdout: `stream` chunks, then `end` (after an `error` when
// the tool fails). The first line out is a heartbeat, which tells the host it is ready; it exits when stdin closes.
// Tools: `echo` (text back), `json_echo` (its parameters back as JSON), `fail` (always raises).
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void emit(json_t *message) {
    char *line = json_dumps(message, JSON_COMPACT);
    if (line != NULL) {
        fputs(line, stdout);
        fputc('\n', stdout);
        fflush(stdout);
        free(line);
    }
    json_decref(message);
}

static void session(json_t *id, const char *type, json_t *data) {
    emit(json_pack("{s:s, s:O, s:{s:s, s:o}}", "event", "session", "session_id", id, "data", "type", type, "data", data));
}

static void chunk(json_t *id, const char *type, json_t *message) {
    session(id, "stream", json_pack("{s:s, s:o, s:n}", "type", type, "message", message, "meta"));
}

static void failure(json_t *id, const char *kind, const char *text) {
    session(id, "error", json_pack("{s:s, s:s, s:{}}", "error_type", kind, "message", text, "args"));
}

static void log_line(const char *text) {
    emit(json_pack("{s:s, s:n, s:{s:s, s:s, s:f}}", "event", "log", "session_id", "data", "level", "INFO", "message", text,
                   "timestamp", 0.0));
}

static void invoke_tool(json_t *id, json_t *data) {
    const char *tool = json_string_value(json_object_get(data, "tool"));
    json_t *parameters = json_object_get(data, "tool_parameters");
    if (tool == NULL) {
        failure(id, "ValueError", "tool is required");
    } else if (strcmp(tool, "echo") == 0) {
        const char *text = json_string_value(json_object_get(parameters, "text"));
        if (text == NULL) {
            failure(id, "ToolParameterValidationError", "text is required");
        } else {
            size_t length = strlen(text) + 7;
            char *answer = malloc(length);
            snprintf(answer, length, "echo: %s", text);
            chunk(id, "text", json_pack("{s:s}", "text", answer));
            free(answer);
        }
    } else if (strcmp(tool, "json_echo") == 0) {
        chunk(id, "json", json_pack("{s:O}", "json_object", parameters != NULL ? parameters : json_null()));
    } else if (strcmp(tool, "fail") == 0) {
        failure(id, "ValueError", "fail always fails");
    } else {
        failure(id, "ToolNotFoundError", "no such tool");
    }
}

/// One LLMResultChunk of the echo model: `content` as the delta, `usage` on the last.
static void llm_chunk(json_t *id, const char *model, int index, const char *content, json_t *usage) {
    json_t *delta = json_pack("{s:i, s:{s:s, s:s, s:[]}, s:o, s:o}", "index", index, "message", "role", "assistant", "content", content,
                              "tool_calls", "usage", usage != NULL ? usage : json_null(), "finish_reason",
                              usage != NULL ? json_string("stop") : json_null());
    session(id, "stream", json_pack("{s:s, s:[], s:o}", "model", model, "prompt_messages", "delta", delta));
}

/// The echo model: answers "Echo model: " and the last user message, word by word, then its usage.
static void invoke_llm(json_t *id, json_t *data) {
    const char *model = json_string_value(json_object_get(data, "model"));
    const char *key = json_string_value(json_object_get(json_object_get(data, "credentials"), "api_key"));
    if (key == NULL || strcmp(key, "good") != 0) {
        failure(id, "CredentialsValidateFailedError", "the echo model needs the api_key 'good'");
        return;
    }
    json_t *messages = json_object_get(data, "prompt_messages");
    const char *last = "";
    size_t index;
    json_t *message;
    json_array_foreach(messages, index, message) {
        const char *role = json_string_value(json_object_get(message, "role"));
        const char *content = json_string_value(json_object_get(message, "content"));
        if (role != NULL && content != NULL && strcmp(role, "user") == 0) last = content;
    }
    int position = 0;
    llm_chunk(id, model != NULL ? model : "", position++, "Echo model:", NULL);
    char *copy = strdup(last);
    int words = 0;
    for (char *word = strtok(copy, " \n"); word != NULL; word = strtok(NULL, " \n")) {
        char piece[1024];
        snprintf(piece, sizeof piece, " %s", word);
        llm_chunk(id, model != NULL ? model : "", position++, piece, NULL);
        words++;
    }
    free(copy);
    llm_chunk(id, model != NULL ? model : "", position, "",
              json_pack("{s:i, s:i, s:i}", "prompt_tokens", 5, "completion_tokens", words + 2, "total_tokens", words + 7));
}

/// The echo embedding model: for each text, its length in bytes, its number of words and 1.
static void invoke_text_embedding(json_t *id, json_t *data) {
    const char *model = json_string_value(json_object_get(data, "model"));
    json_t *embeddings = json_array();
    size_t index;
    json_t *text;
    int tokens = 0;
    json_array_foreach(json_object_get(data, "texts"), index, text) {
        const char *value = json_string_value(text);
        if (value == NULL) value = "";
        int words = 0, in_word = 0;
        for (const char *c = value; *c; c++) {
            if (*c == ' ' || *c == '\n') in_word = 0;
            else if (!in_word) in_word = 1, words++;
        }
        tokens += words;
        json_array_append_new(embeddings, json_pack("[f, f, f]", (double)strlen(value), (double)words, 1.0));
    }
    session(id, "stream", json_pack("{s:s, s:o, s:{s:i, s:i, s:i, s:i, s:i, s:s, s:f}}", "model", model != NULL ? model : "", "embeddings",
                                     embeddings, "usage", "tokens", tokens, "total_tokens", tokens, "unit_price", 0, "price_unit", 0,
                                     "total_price", 0, "currency", "USD", "latency", 0.0));
}

int main(void) {
    emit(json_pack("{s:s, s:n, s:{}}", "event", "heartbeat", "session_id", "data"));
    log_line("echo-c ready");
    char *line = NULL;
    size_t capacity = 0;
    ssize_t length;
    while ((length = getline(&line, &capacity, stdin)) > 0) {
        json_error_t error;
        json_t *request = json_loadb(line, (size_t)length, 0, &error);
        if (request == NULL) continue;  // not a request: nothing to answer
        json_t *id = json_object_get(request, "session_id");
        json_t *data = json_object_get(request, "data");
        const char *event = json_string_value(json_object_get(request, "event"));
        const char *type = json_string_value(json_object_get(data, "type"));
        const char *action = json_string_value(json_object_get(data, "action"));
        if (id == NULL || event == NULL || strcmp(event, "request") != 0) {
            json_decref(request);
            continue;
        }
        if (type == NULL || action == NULL || (strcmp(type, "tool") != 0 && strcmp(type, "model") != 0)) {
            failure(id, "NotImplementedError", "this plugin has tools and a model");
        } else if (strcmp(type, "model") == 0 && strcmp(action, "invoke_llm") == 0) {
            invoke_llm(id, data);
        } else if (strcmp(type, "model") == 0 && strcmp(action, "invoke_text_embedding") == 0) {
            invoke_text_embedding(id, data);
        } else if (strcmp(type, "model") == 0 && strcmp(action, "validate_provider_credentials") == 0) {
            json_t *credentials = json_object_get(data, "credentials");
            const char *key = json_string_value(json_object_get(credentials, "api_key"));
            session(id, "stream", json_pack("{s:b, s:O}", "result", key != NULL && strcmp(key, "good") == 0, "credentials", credentials));
        } else if (strcmp(action, "invoke_tool") == 0) {
            invoke_tool(id, data);
        } else if (strcmp(action, "validate_tool_credentials") == 0) {
            const char *key = json_string_value(json_object_get(json_object_get(data, "credentials"), "api_key"));
            session(id, "stream", json_pack("{s:b}", "result", key != NULL && strcmp(key, "good") == 0));
        } else {
            failure(id, "NotImplementedError", "unknown action");
        }
        session(id, "end", json_object());
        json_decref(request);
    }
    free(line);
    return 0;
}
