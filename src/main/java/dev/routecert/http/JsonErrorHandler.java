package dev.routecert.http;

import dev.routecert.admission.AdmissionReviews;
import dev.routecert.admission.ReviewRejection;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own error answers, for requests refused before a handler runs (a malformed or oversize
 * head, a bad Content-Length, an unknown version) or failed in the servlet layer, as the same
 * Kubernetes {@code Status} the endpoints answer with: the API server and a person with curl both
 * read JSON, and an HTML page says nothing to either. Jetty's detail is kept, as a JSON string,
 * after a sentence saying what kind of problem it is; no stack trace, ever.
 */
final class JsonErrorHandler extends ErrorHandler {

    /** Jetty's details can quote the offending bytes; they are cut to this many characters. */
    static final int MAX_DETAIL = 200;

    private static final HttpField JSON = new HttpField(HttpHeader.CONTENT_TYPE, "application/json");

    private final AdmissionReviews reviews;

    JsonErrorHandler(AdmissionReviews reviews) {
        this.reviews = reviews;
        setShowStacks(false);
        setShowCauses(false);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int code = response.getStatus();
        String detail = request.getAttribute(ERROR_MESSAGE) instanceof String s ? s : null;
        if (request.getAttribute(ERROR_EXCEPTION) instanceof HttpException e) {
            code = e.getCode();
            detail = detail != null ? detail : e.getReason();
        }
        if (code < 400 || code > 599) {
            code = HttpStatus.INTERNAL_SERVER_ERROR_500;
        }
        response.setStatus(code);
        generateCacheControl(response);
        byte[] body = body(code, detail);
        response.getHeaders().put(JSON);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }

    /** The body Jetty sends when it refuses a request too broken to become one. */
    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        byte[] body = body(status, reason);
        fields.put(JSON);
        fields.put(HttpHeader.CONTENT_LENGTH, body.length);
        return ByteBuffer.wrap(body);
    }

    byte[] body(int code, String detail) {
        ReviewRejection rejection = new ReviewRejection(code, reason(code), message(code, detail), null, null);
        return reviews.write(reviews.rejection(rejection));
    }

    /** Kubernetes' {@code StatusReason} where it has one, otherwise the HTTP reason phrase without spaces. */
    static String reason(int code) {
        return switch (code) {
            case 400 -> "BadRequest";
            case 404 -> "NotFound";
            case 405 -> "MethodNotAllowed";
            case 408 -> "Timeout";
            case 413 -> "RequestEntityTooLarge";
            case 415 -> "UnsupportedMediaType";
            case 500 -> "InternalError";
            case 503 -> "ServiceUnavailable";
            default -> {
                String phrase = HttpStatus.getMessage(code);
                yield phrase == null ? "Error" : phrase.replaceAll("[^A-Za-z]", "");
            }
        };
    }

    static String message(int code, String detail) {
        String what = switch (code) {
            case 414 -> "request URI is too long";
            case 431 -> "request header block is too large";
            case 505 -> "HTTP version not supported: routecert speaks HTTP/1.1";
            default -> code < 500 ? "malformed HTTP request" : "routecert could not answer this request (see its log)";
        };
        // a server error's detail is for the log, not for the client; the fixed messages say it all
        if (detail == null || detail.isBlank() || code >= 500 || code == 414 || code == 431) {
            return what;
        }
        return what + ": " + (detail.length() > MAX_DETAIL ? detail.substring(0, MAX_DETAIL) + "..." : detail);
    }
}
