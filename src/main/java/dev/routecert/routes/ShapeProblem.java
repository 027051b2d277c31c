package dev.routecert.routes;

/** A field whose JSON type is not what the resource's schema says (e.g. a number where a string belongs). */
public record ShapeProblem(String field, String message) {}
