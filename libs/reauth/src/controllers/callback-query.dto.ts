import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

/** The query AuthKit sends to the callback: `code` and `state`, or an OAuth `error`. */
export class CallbackQueryDto {
  @IsOptional()
  @IsString()
  @MaxLength(512)
  @Matches(/^[\w.~-]+$/)
  code?: string;

  @IsString()
  @MaxLength(8192)
  @Matches(/^[\w.-]+$/)
  state!: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  @Matches(/^[\w.-]+$/)
  error?: string;

  @IsOptional()
  @IsString()
  @MaxLength(1024)
  error_description?: string;
}
